"""Batch writes for the bulk import: COPY instead of 100,000 INSERT round trips.

COPY runs on the session's own connection, inside its transaction: the import, its outbox rows
and its audit entry still commit (or roll back) together.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events import Envelope, Event
from shared.logging import current_traceparent
from shared.outbox import event_headers


class LicenseRow(NamedTuple):
    """One imported license as COPY writes it (the fields are the columns, in order)."""

    id: UUID
    serial: str
    product: str
    edition: str
    seats: int
    purchased_on: date
    warranty_ends: date
    registration_hash: str
    customer_ref: str | None
    issued_at: datetime


async def _driver_connection(session: AsyncSession) -> asyncpg.Connection:
    await session.flush()
    # The first statement makes the session open its transaction on this connection.
    await session.execute(text("SELECT 1"))
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    return driver


async def copy_licenses(session: AsyncSession, records: Sequence[LicenseRow]) -> None:
    driver = await _driver_connection(session)
    await driver.copy_records_to_table("license", records=records, columns=LicenseRow._fields)


def _outbox_rows(events: Iterable[Event], source: str) -> Iterator[tuple[Any, ...]]:
    traceparent = current_traceparent()
    for event in events:
        envelope: Envelope[Event] = Envelope.wrap(event, source=source, traceparent=traceparent)
        yield (
            envelope.id,
            event.topic,
            envelope.subject,
            envelope.model_dump_json().encode(),
            json.dumps(event_headers(envelope)),
        )


async def copy_events(session: AsyncSession, events: Iterable[Event], *, source: str) -> None:
    """The same rows `shared.outbox.add_event` writes, in one COPY (its trigger still NOTIFYs).

    `events` may be a generator: rows are encoded while COPY streams, never all held at once.
    """
    rows = _outbox_rows(events, source)
    driver = await _driver_connection(session)
    await driver.copy_records_to_table(
        "outbox", records=rows, columns=("event_id", "topic", "key", "value", "headers")
    )
