"""Ops endpoints: listing deliveries and re-queuing a failed one (roles admin/support)."""

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from services.notifier.app import create_app
from services.notifier.config import Settings
from shared import clock
from shared.auth import AUDIENCE, ISSUER, JwksVerifier
from shared.db import make_engine, make_sessionmaker
from tests.events import EventPublisher, account, password_reset_requested
from tests.kit import Mailpit, eventually, unique_email
from tests.notifier.conftest import NotifierDb

SIGNING_KEY = Ed25519PrivateKey.generate()
KID = "notifier-test-key"


def token(*roles: str) -> str:
    now = clock.timestamp()
    claims: dict[str, Any] = {"sub": str(uuid.uuid4()), "roles": list(roles), "iss": ISSUER, "aud": AUDIENCE}
    claims |= {"iat": now, "exp": now + 300}
    return jwt.encode(claims, SIGNING_KEY, algorithm="EdDSA", headers={"kid": KID})


@pytest.fixture(scope="module")
async def admin_api(stack: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    """The notifier app in-process on the stack's database, trusting a test signing key
    (identity, which signs real tokens, is not part of these focused runs)."""
    env = stack["services"]["notifier"]["env"]
    settings = Settings(database_url=env["NOTIFIER_DATABASE_URL"], public_url=env["NOTIFIER_PUBLIC_URL"])
    app = create_app(settings)
    public_jwk = json.loads(OKPAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    verifier = JwksVerifier("http://127.0.0.1:9/unused")
    verifier.load({"keys": [{**public_jwk, "kid": KID, "alg": "EdDSA", "use": "sig"}]})
    app.state.jwks = verifier
    engine = make_engine(settings.database_url, pool_size=2)
    app.state.sessions = make_sessionmaker(engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://notifier"
    ) as client:
        yield client
    await engine.dispose()


async def test_deliveries_need_a_token_through_the_gateway(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/notifier/admin/deliveries")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_customers_may_not_list_deliveries(admin_api: httpx.AsyncClient) -> None:
    response = await admin_api.get(
        "/admin/deliveries", headers={"Authorization": f"Bearer {token('customer')}"}
    )
    assert response.status_code == 403


async def test_support_lists_deliveries_by_status_and_address(
    admin_api: httpx.AsyncClient, events: EventPublisher, mailpit: Mailpit
) -> None:
    address = unique_email("ops")
    envelope = await events.publish(
        password_reset_requested(
            account(uuid.uuid4(), address, "Ann", "en"), "http://portal.test/reset?token=ops"
        )
    )
    await mailpit.wait_for(address)
    auth = {"Authorization": f"Bearer {token('support')}"}

    async def listed_as_sent() -> list[dict[str, Any]] | None:
        response = await admin_api.get(
            "/admin/deliveries", params={"status": "sent", "email": address}, headers=auth
        )
        assert response.status_code == 200, response.text
        return response.json()["items"] or None

    items = await eventually(listed_as_sent, what="delivery listed as sent")
    assert [(i["event_id"], i["kind"], i["attempts"]) for i in items] == [
        (str(envelope.id), "password_reset", 1)
    ]
    pending = await admin_api.get(
        "/admin/deliveries", params={"status": "pending", "email": address}, headers=auth
    )
    assert pending.json()["items"] == []


async def test_bad_filters_are_a_validation_problem(admin_api: httpx.AsyncClient) -> None:
    auth = {"Authorization": f"Bearer {token('admin')}"}
    response = await admin_api.get("/admin/deliveries", params={"status": "lost", "limit": 0}, headers=auth)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"query.status", "query.limit"}


async def test_a_failed_delivery_can_be_sent_again(
    admin_api: httpx.AsyncClient, notifier_db: NotifierDb, mailpit: Mailpit
) -> None:
    address = unique_email("retry")
    delivery_id = uuid.uuid4()
    # A delivery the sender gave up on (e.g. the recipient's server refused it for days).
    await notifier_db.connection.execute(
        "INSERT INTO delivery (id, event_id, email, kind, locale, context, status, attempts, last_error) "
        "VALUES ($1, $2, $3, 'welcome', 'zh-TW', $4, 'failed', 5, '550 mailbox unavailable')",
        delivery_id,
        uuid.uuid4(),
        address,
        json.dumps({"name": "Ann", "portal_url": "http://portal.test"}),
    )
    auth = {"Authorization": f"Bearer {token('admin')}"}

    missing = await admin_api.post(f"/admin/deliveries/{uuid.uuid4()}/retry", headers=auth)
    assert missing.status_code == 404
    assert missing.json()["type"] == "/problems/delivery-not-found"
    assert missing.json()["detail_id"] == "notifier.check-delivery-id"

    response = await admin_api.post(
        f"/admin/deliveries/{delivery_id}/retry", headers={**auth, "Accept-Language": "ja"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "pending"

    found = await mailpit.wait_for(address)
    assert found[0]["Subject"] == "歡迎使用技術支援網站"

    again = await admin_api.post(
        f"/admin/deliveries/{delivery_id}/retry", headers={**auth, "Accept-Language": "ja"}
    )
    assert again.status_code == 409
    assert again.json()["title"] == "再送できるのは送信に失敗した配信のみです"
    assert again.json()["detail_id"] == "notifier.retry-only-failed"
    assert again.json()["detail"].startswith("この配信の状態は ")
