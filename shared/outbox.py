"""Transactional outbox: events are rows written in the same transaction as the state change.

`add_event` only inserts; the relay (shared.relay) publishes. A statement-level trigger
NOTIFYs the relay on commit, so publishing starts at once without polling.
"""

import json

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events.base import Envelope, Event
from shared.logging import current_traceparent

NOTIFY_CHANNEL = "outbox"

_INSERT = text(
    "INSERT INTO outbox (event_id, topic, key, value, headers) "
    "VALUES (:event_id, :topic, :key, :value, CAST(:headers AS jsonb)) "
    "ON CONFLICT (event_id) DO NOTHING"  # re-queuing the same event id (a retried dead letter) is a no-op
)


async def add_event(session: AsyncSession, event: Event, *, source: str) -> Envelope[Event]:
    """Queue `event` for publication when (and only if) the surrounding transaction commits."""
    envelope: Envelope[Event] = Envelope.wrap(event, source=source, traceparent=current_traceparent())
    await add_raw(
        session,
        event_id=str(envelope.id),
        topic=event.topic,
        key=envelope.subject,
        value=envelope.model_dump_json().encode(),
        headers=event_headers(envelope),
    )
    return envelope


async def add_raw(
    session: AsyncSession, *, event_id: str, topic: str, key: str, value: bytes, headers: dict[str, str]
) -> None:
    """Queue an already-encoded message (dead letters keep the original bytes)."""
    await session.execute(
        _INSERT,
        {"event_id": event_id, "topic": topic, "key": key, "value": value, "headers": json.dumps(headers)},
    )


def event_headers(envelope: Envelope[Event]) -> dict[str, str]:
    headers = {"ce_id": str(envelope.id), "ce_type": envelope.type, "ce_source": envelope.source}
    if envelope.traceparent:
        headers["traceparent"] = envelope.traceparent
    return headers
