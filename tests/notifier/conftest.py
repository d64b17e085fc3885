"""Fixtures of the notifier tests: a test-only event producer and the notifier's database.

EventPublisher are published to Kafka the way the producers' outbox relays do (same envelope, key and
headers): the notifier cannot tell them apart from the real thing.
"""

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import pytest

from shared.events import UserVerified
from shared.i18n import Locale
from tests.conftest import database_url
from tests.events import EventPublisher, profile_changed, user_verified
from tests.kit import eventually, unique_email


class NotifierDb:
    """Read-only looks at the notifier's tables, for assertions the API does not expose."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def deliveries(self, event_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = await self.connection.fetch(
            "SELECT * FROM delivery WHERE event_id = $1 ORDER BY email, kind", event_id
        )
        return [dict(r) for r in rows]

    async def deliveries_to(self, email: str) -> list[dict[str, Any]]:
        rows = await self.connection.fetch("SELECT * FROM delivery WHERE email = $1", email)
        return [dict(r) for r in rows]

    async def consumed(self, event_id: uuid.UUID) -> bool:
        """The notifier's consumer has handled (committed) this event."""
        row = await self.connection.fetchrow(
            "SELECT 1 FROM inbox WHERE consumer = 'notifier' AND event_id = $1", event_id
        )
        return row is not None

    async def recipient(self, user_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.connection.fetchrow("SELECT * FROM recipient WHERE user_id = $1", user_id)
        return dict(row) if row else None

    async def holding(self, license_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.connection.fetchrow("SELECT * FROM holding WHERE license_id = $1", license_id)
        return dict(row) if row else None


@pytest.fixture(scope="session")
async def notifier_db(stack: dict[str, Any]) -> AsyncIterator[NotifierDb]:
    connection = await asyncpg.connect(database_url(stack, "notifier"))
    yield NotifierDb(connection)
    await connection.close()


class People:
    """Creates users and holdings in the notifier's projection through events."""

    def __init__(self, events: EventPublisher, db: NotifierDb) -> None:
        self.events = events
        self.db = db

    async def verified_user(
        self, locale: Locale, *, name: str | None = None, prefix: str = "user"
    ) -> UserVerified:
        event = user_verified(
            uuid.uuid4(), unique_email(prefix), name or f"{prefix.title()} {locale}", locale
        )
        await self.events.publish(event)
        await eventually(lambda: self.db.recipient(event.user_id), what="recipient projected")
        return event

    async def disable(self, user: UserVerified) -> None:
        await self.events.publish(
            profile_changed(user.user_id, user.email, user.name, user.locale, disabled=True)
        )

        async def disabled() -> bool:
            row = await self.db.recipient(user.user_id)
            return bool(row and row["disabled"])

        await eventually(disabled, what="recipient disabled")

    async def bind(self, account_id: uuid.UUID, product: str, start: date, end: date) -> uuid.UUID:
        license_id = uuid.uuid4()
        await self.events.bind_license(account_id, product, start, end, license_id=license_id)
        await eventually(lambda: self.db.holding(license_id), what="holding projected")
        return license_id


@pytest.fixture(scope="session")
def people(events: EventPublisher, notifier_db: NotifierDb) -> People:
    return People(events, notifier_db)
