"""The policy that requires two-step sign-in for staff roles: such an account without an
authenticator gets no session from its password, only an enrolment challenge; its session
starts when the first code confirms the new authenticator. Run against an identity app built
in-process with the policy on (the shared stack's identity runs without it), on the stack's
own database."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.identity.app import create_app
from services.identity.config import Settings
from shared.db import make_engine, make_sessionmaker
from tests.identity.helpers import API, bearer, staff_user, verified_user
from tests.identity.test_two_step import code

STAFF = ("support", "security", "admin")


@pytest.fixture
async def strict_identity(
    stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    for name, value in stack["services"]["identity"]["env"].items():
        monkeypatch.setenv(name, value)
    settings = Settings(two_step_required_roles=STAFF)
    app = create_app(settings)
    engine = make_engine(settings.database_url, pool_size=2)
    app.state.sessions = make_sessionmaker(engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://identity"
    ) as client:
        yield client
    await engine.dispose()


async def _login(client: httpx.AsyncClient, user: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/auth/login", json={"email": user["email"], "password": user["password"]})
    assert response.status_code == 200, response.text
    return response.json()


async def test_staff_without_an_authenticator_are_sent_to_enrolment(stack, strict_identity, gateway):
    staff = staff_user(stack, "support")
    first = await _login(strict_identity, staff)
    assert first["next_step"] == "two_step_enrolment" and "access_token" not in first
    # The enrolment challenge is not a code challenge.
    wrong_step = await strict_identity.post(
        "/auth/login/two-step", json={"challenge": first["challenge"], "code": "123456"}
    )
    assert wrong_step.status_code == 401

    started = await strict_identity.post("/auth/two-step/enrol", json={"challenge": first["challenge"]})
    assert started.status_code == 200, started.text
    secret = started.json()["secret"]
    confirmed = await strict_identity.post(
        "/auth/two-step/enrol/confirm", json={"challenge": first["challenge"], "code": code(secret)}
    )
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert len(body["recovery_codes"]) == 10
    # A real session: the gateway's identity accepts its token.
    me = await gateway.get(f"{API}/me/two-step", headers=bearer(body["access_token"]))
    assert me.json() == {"enabled": True, "recovery_codes_left": 10, "required": False}

    # From now on the password step asks for a code, as for anyone with two-step sign-in.
    assert (await _login(strict_identity, staff))["next_step"] == "two_step"
    replay = await strict_identity.post("/auth/two-step/enrol", json={"challenge": first["challenge"]})
    assert replay.status_code == 409


async def test_customers_are_not_asked_by_the_staff_policy(strict_identity, gateway, events):
    customer = await verified_user(gateway, events)
    assert "access_token" in await _login(strict_identity, customer)
    status = await strict_identity.get("/me/two-step", headers=bearer(customer["access_token"]))
    assert status.json()["required"] is False
