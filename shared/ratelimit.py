"""Sliding-window rate limits kept in Postgres, so every replica of a service sees one count.

One row per hit in the service's `rate_events` table (created by `create_rate_events_table`
in a migration); hits of one key are serialised with an advisory lock, so parallel requests
cannot all slip under the limit. Callers choose the key (`<action>:account:<id>`,
`<action>:address:<ip>`) and what a refusal means (a silent skip, or 429 with Retry-After).
"""

import math
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

TABLE = "rate_events"


async def retry_after(
    session: AsyncSession, key: str, *, limit: int, window: timedelta, now: datetime
) -> int:
    """Seconds until `key` has fewer than `limit` hits in `window` (0: it has now). Records
    nothing; holds the key's lock to the end of the transaction, so a caller that records a hit
    afterwards (`record`) cannot be overtaken by a parallel request."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    await session.execute(
        text("DELETE FROM rate_events WHERE key = :key AND at <= :since"), {"key": key, "since": now - window}
    )
    row = (
        await session.execute(
            text("SELECT count(*), min(at) FROM rate_events WHERE key = :key"), {"key": key}
        )
    ).one()
    count, oldest = row[0], row[1]
    if count >= limit:
        return max(1, math.ceil((oldest + window - now).total_seconds()))
    return 0


async def record(session: AsyncSession, key: str, now: datetime) -> None:
    await session.execute(
        text("INSERT INTO rate_events (key, at) VALUES (:key, :at)"), {"key": key, "at": now}
    )


async def allow(session: AsyncSession, key: str, *, limit: int, window: timedelta, now: datetime) -> int:
    """Record a hit if under `limit` in `window`: 0 if allowed, else seconds until a slot frees."""
    wait = await retry_after(session, key, limit=limit, window=window, now=now)
    if not wait:
        await record(session, key, now)
    return wait


async def prune(session: AsyncSession, older_than: datetime) -> None:
    """Housekeeping: hits older than every window are dead weight."""
    await session.execute(text("DELETE FROM rate_events WHERE at < :t"), {"t": older_than})


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    ]


def rate_events_table(metadata: sa.MetaData) -> sa.Table:
    """Declare the table among a service's models (its migration creates the same one)."""
    return sa.Table(TABLE, metadata, *_columns(), sa.Index("ix_rate_events_key_at", "key", "at"))


def create_rate_events_table() -> None:
    """For a service's migration: the one schema every limiter shares."""
    from alembic import op

    op.create_table(TABLE, *_columns())
    op.create_index("ix_rate_events_key_at", TABLE, ["key", "at"])
