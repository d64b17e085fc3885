"""Posting limits: each case and reply queues a mail and lands in the staff's queue, so neither
one account nor one address may post without bound (service), nor in a burst (gateway)."""

import asyncio
import uuid
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest

from services.cases.config import Settings
from tests.accounts import Accounts, PortalUser
from tests.cases.conftest import unique_product
from tests.conftest import database_url
from tests.events import EventPublisher
from tests.kit import client_ip, eventually

LIMITS = Settings()  # the stack runs with the defaults
COVERED = (date(2025, 1, 1), date(2030, 12, 31))


@pytest.fixture
def cases_url(stack: dict[str, Any]) -> str:
    return stack["services"]["cases"]["url"]


async def _covered_customers(
    stack: dict[str, Any], accounts: Accounts, events: EventPublisher, count: int
) -> list[tuple[PortalUser, uuid.UUID]]:
    product = unique_product()
    users = [await accounts.user() for _ in range(count)]
    licenses = [uuid.UUID((await events.bind_license(u.user_id, product, *COVERED)).subject) for u in users]
    connection = await asyncpg.connect(database_url(stack, "cases"))
    try:

        async def projected() -> bool:
            found = await connection.fetchval(
                "SELECT count(*) FROM holdings WHERE license_id = ANY($1::uuid[])", licenses
            )
            return found == count

        await eventually(projected, what="licenses projected into cases")
    finally:
        await connection.close()
    return list(zip(users, licenses, strict=True))


def _case_body(license_id: uuid.UUID) -> dict[str, str]:
    return {
        "license_id": str(license_id),
        "category": "feature_question",
        "subject": "How do I export the audit trail?",
        "description": "We need the audit trail of last quarter for our auditors.",
    }


async def _open(
    client: httpx.AsyncClient, user: PortalUser, license_id: uuid.UUID, address: str
) -> httpx.Response:
    return await client.post(
        "/cases", json=_case_body(license_id), headers={**user.headers, "X-Forwarded-For": address}
    )


def _assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/rate-limited"
    assert response.json()["detail_id"] in ("cases.too-many-cases", "cases.too-many-replies")
    assert int(response.headers["retry-after"]) >= 1


async def test_one_account_may_open_only_so_many_cases_an_hour(
    stack: dict[str, Any], accounts: Accounts, events: EventPublisher, cases_url: str
) -> None:
    (alice, alice_license), (bob, bob_license) = await _covered_customers(stack, accounts, events, 2)
    async with httpx.AsyncClient(base_url=cases_url, timeout=60) as cases:
        opened = [
            await _open(cases, alice, alice_license, client_ip())
            for _ in range(LIMITS.cases_per_account_per_hour)
        ]
        assert [r.status_code for r in opened] == [201] * LIMITS.cases_per_account_per_hour
        refused = await _open(cases, alice, alice_license, client_ip())
        _assert_limited(refused)
        assert int(refused.headers["retry-after"]) <= 3600
        # Nothing was written for the refused one; other customers are unaffected.
        connection = await asyncpg.connect(database_url(stack, "cases"))
        try:
            stored = await connection.fetchval(
                "SELECT count(*) FROM cases WHERE account_id = $1", alice.user_id
            )
        finally:
            await connection.close()
        assert stored == LIMITS.cases_per_account_per_hour
        assert (await _open(cases, bob, bob_license, client_ip())).status_code == 201
        # Replying is counted apart from opening.
        case_id = opened[0].json()["id"]
        reply = await cases.post(
            f"/cases/{case_id}/messages",
            json={"body": "More details"},
            headers={**alice.headers, "X-Forwarded-For": client_ip()},
        )
        assert reply.status_code == 201, reply.text


async def test_one_address_may_open_only_so_many_cases_whoever_signs_in(
    stack: dict[str, Any], accounts: Accounts, events: EventPublisher, cases_url: str
) -> None:
    per_account, per_address = LIMITS.cases_per_account_per_hour, LIMITS.cases_per_address_per_window
    needed = per_address // per_account + 1
    customers = await _covered_customers(stack, accounts, events, needed)
    office = client_ip()
    async with httpx.AsyncClient(base_url=cases_url, timeout=60) as cases:
        codes = []
        for user, license_id in customers:
            for _ in range(per_account):
                codes.append((await _open(cases, user, license_id, office)).status_code)
                if len(codes) > per_address:
                    break
        assert codes[:per_address] == [201] * per_address
        assert codes[per_address] == 429
        user, license_id = customers[-1]
        _assert_limited(await _open(cases, user, license_id, office))
        assert (await _open(cases, user, license_id, client_ip())).status_code == 201, (
            "other addresses are free"
        )


async def test_replies_are_limited_per_account_but_staff_answers_are_not(
    stack: dict[str, Any], accounts: Accounts, events: EventPublisher, cases_url: str
) -> None:
    [(carol, license_id)] = await _covered_customers(stack, accounts, events, 1)
    support = await accounts.user("support")
    async with httpx.AsyncClient(base_url=cases_url, timeout=60) as cases:
        case_id = (await _open(cases, carol, license_id, client_ip())).json()["id"]
        path = f"/cases/{case_id}/messages"

        async def reply(user: PortalUser) -> int:
            headers = {**user.headers, "X-Forwarded-For": client_ip()}
            return (await cases.post(path, json={"body": "Any news?"}, headers=headers)).status_code

        codes = [await reply(carol) for _ in range(LIMITS.replies_per_account_per_hour + 1)]
        assert codes == [201] * LIMITS.replies_per_account_per_hour + [429]
        assert [await reply(support) for _ in range(LIMITS.replies_per_account_per_hour + 1)] == [201] * (
            LIMITS.replies_per_account_per_hour + 1
        )


async def test_gateway_brakes_a_burst_of_case_posts_from_one_address(gateway: httpx.AsyncClient) -> None:
    """A burst beyond the gateway's allowance is refused before it reaches the service. The
    bodies are invalid on purpose: nothing is created, whatever gets through answers 4xx."""
    address = client_ip()
    headers = {"X-Forwarded-For": address, "Authorization": "Bearer not-a-token"}
    answers = await asyncio.gather(
        *(gateway.post("/api/cases/cases", json={}, headers=headers) for _ in range(60))
    )
    limited = [a for a in answers if a.status_code == 429]
    # Burst 30 at once, then 5 a second: a second's worth of slack for a slow machine.
    assert len(limited) >= 60 - 30 - 5, [a.status_code for a in answers]
    assert all(a.status_code in (401, 429) for a in answers)
    assert limited[0].json()["type"] == "/problems/rate-limited" and limited[0].headers["retry-after"]
    # Reading is not limited, from the same address at the same moment.
    read = await gateway.get("/api/cases/cases", headers=headers)
    assert read.status_code == 401
