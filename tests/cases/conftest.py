"""Fixtures of the cases tests: accounts, licensing/identity events in, case events out."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from shared.events import RawEnvelope
from shared.events.cases import TOPIC
from tests.accounts import Accounts, PortalUser
from tests.conftest import database_url
from tests.events import EventPublisher, user_verified
from tests.kit import client_ip, eventually


@pytest.fixture(autouse=True)
async def posts_not_counted_from_earlier_tests(
    request: pytest.FixtureRequest, stack: dict[str, Any], gateway: httpx.AsyncClient
) -> AsyncIterator[None]:
    """The posting limits (per account and address in the service, per address at the gateway)
    are what test_posting_limits.py is about. Elsewhere one module's customers open many cases
    across tests, so each test starts with no posts counted and comes from an address of its own."""
    if request.module.__name__.endswith("test_posting_limits"):
        yield
        return
    connection = await asyncpg.connect(database_url(stack, "cases"))
    try:
        await connection.execute("DELETE FROM rate_events WHERE key LIKE 'case:%' OR key LIKE 'reply:%'")
    finally:
        await connection.close()
    gateway.headers["X-Forwarded-For"] = client_ip()
    try:
        yield
    finally:
        del gateway.headers["X-Forwarded-For"]


class CaseEvents:
    """Reads what the cases service published on `cases.case` (no consumer group)."""

    def __init__(self, bootstrap: str) -> None:
        self.consumer = AIOKafkaConsumer(
            TOPIC, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
        )
        self.seen: list[RawEnvelope] = []

    async def start(self) -> None:
        await self.consumer.start()

    async def of_case(self, case_id: str, event_type: str, count: int = 1) -> list[RawEnvelope]:
        async def probe() -> list[RawEnvelope] | None:
            batches = await self.consumer.getmany(timeout_ms=200)
            for records in batches.values():
                self.seen += [RawEnvelope.model_validate_json(r.value) for r in records if r.value]
            found = [e for e in self.seen if e.subject == case_id and e.type == event_type]
            return found if len(found) >= count else None

        return await eventually(probe, what=f"{count} {event_type} for case {case_id}")

    async def stop(self) -> None:
        await self.consumer.stop()


@pytest.fixture(scope="session")
async def case_events(kafka_bootstrap: str) -> AsyncIterator[CaseEvents]:
    reader = CaseEvents(kafka_bootstrap)
    await reader.start()
    yield reader
    await reader.stop()


def unique_product() -> str:
    return f"CST{uuid.uuid4().hex[:6].upper()}"


COVERED = (date(2025, 1, 1), date(2030, 12, 31))
LAPSED = (date(2022, 1, 1), date(2025, 6, 30))


@dataclass
class People:
    product: str
    alice: PortalUser  # covered
    alice_license: uuid.UUID
    bob: PortalUser  # covered, another customer
    bob_license: uuid.UUID
    carol: PortalUser  # lapsed
    carol_license: uuid.UUID
    support: PortalUser
    security: PortalUser
    admin: PortalUser


@pytest.fixture(scope="module")
async def people(stack: dict[str, Any], accounts: Accounts, events: EventPublisher) -> People:
    product = unique_product()
    alice, bob, carol = await accounts.user(), await accounts.user(), await accounts.user()
    support, security = await accounts.user("support"), await accounts.user("security")
    admin = await accounts.user("admin")
    licenses = [
        uuid.UUID((await events.bind_license(user.user_id, product, *period)).subject)
        for user, period in ((alice, COVERED), (bob, COVERED), (carol, LAPSED))
    ]
    await events.publish(
        user_verified(alice.user_id, alice.email, "Alice Chen", "en"),
    )
    crowd = People(
        product, alice, licenses[0], bob, licenses[1], carol, licenses[2], support, security, admin
    )

    connection = await asyncpg.connect(database_url(stack, "cases"))
    try:

        async def projected() -> bool:
            count = await connection.fetchval(
                "SELECT count(*) FROM holdings WHERE license_id = ANY($1::uuid[])", licenses
            )
            person = await connection.fetchval("SELECT name FROM people WHERE user_id = $1", alice.user_id)
            return count == 3 and person == "Alice Chen"

        await eventually(projected, what="licenses and people projected into cases")
    finally:
        await connection.close()
    return crowd


async def opened_case(
    gateway: httpx.AsyncClient,
    user: PortalUser,
    license_id: uuid.UUID,
    category: str = "bug",
    **extra: Any,
) -> dict[str, Any]:
    """Open a case through the gateway as `user` and return it (201 asserted)."""
    response = await gateway.post(
        "/api/cases/cases",
        json={
            "license_id": str(license_id),
            "category": category,
            "subject": "Scheduler stops after upgrade",
            "description": "After 5.2.1 the nightly flow no longer starts.",
            **extra,
        },
        # Customers are many, and so are their addresses: one shared address would add every
        # test's cases to one per-address limit (services/cases/limits.py).
        headers={**user.headers, "X-Forwarded-For": client_ip()},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())
