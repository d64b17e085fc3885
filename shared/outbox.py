"""Transactional outbox: events are rows written in the same transaction as the state change.

`add_event` only inserts; the relay (shared.relay) publishes. A statement-level trigger
NOTIFYs the relay on commit, so publishing starts at once without polling.
"""

import uuid
from typing import Any

from sqlalchemy import BigInteger, Column, LargeBinary, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID, Insert, insert
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events.base import Envelope, Event
from shared.logging import current_traceparent

NOTIFY_CHANNEL = "outbox"

# Core views of the tables that shared.migrations creates (the DDL there is the source of truth).
_metadata = MetaData()
OUTBOX = Table(
    "outbox",
    _metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("topic", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("headers", JSONB, nullable=False),
)
INBOX = Table(
    "inbox",
    _metadata,
    Column("consumer", Text, primary_key=True),
    Column("event_id", UUID(as_uuid=True), primary_key=True),
)


async def add_event(session: AsyncSession, event: Event, *, source: str) -> Envelope[Event]:
    """Queue `event` for publication when (and only if) the surrounding transaction commits."""
    envelope, statement = event_insert(event, source=source)
    await session.exec(statement)
    return envelope


def event_row(event: Event, *, source: str) -> tuple[Envelope[Event], dict[str, Any]]:
    """The envelope of `event` and the outbox row that carries it (column → value)."""
    envelope: Envelope[Event] = Envelope.wrap(event, source=source, traceparent=current_traceparent())
    row = {
        "event_id": envelope.id,
        "topic": event.topic,
        "key": envelope.subject,
        "value": envelope.model_dump_json().encode(),
        "headers": event_headers(envelope),
    }
    return envelope, row


def event_insert(event: Event, *, source: str) -> tuple[Envelope[Event], Insert]:
    """The envelope and the INSERT that queues it, for a hot path that sends the event in one
    statement with its own row (`statement.add_cte(insert(...).cte())`: one round trip)."""
    envelope, row = event_row(event, source=source)
    return envelope, _outbox_insert(**row)


async def add_raw(
    session: AsyncSession, *, event_id: uuid.UUID, topic: str, key: str, value: bytes, headers: dict[str, str]
) -> None:
    """Queue an already-encoded message (dead letters keep the original bytes).

    Re-queuing the same event id (a retried dead letter) is a no-op.
    """
    await session.exec(_outbox_insert(event_id=event_id, topic=topic, key=key, value=value, headers=headers))


def _outbox_insert(
    *, event_id: uuid.UUID, topic: str, key: str, value: bytes, headers: dict[str, str]
) -> Insert:
    statement = insert(OUTBOX).values(event_id=event_id, topic=topic, key=key, value=value, headers=headers)
    return statement.on_conflict_do_nothing(index_elements=["event_id"])


def event_headers(envelope: Envelope[Event]) -> dict[str, str]:
    headers = {"ce_id": str(envelope.id), "ce_type": envelope.type, "ce_source": envelope.source}
    if envelope.traceparent:
        headers["traceparent"] = envelope.traceparent
    return headers
