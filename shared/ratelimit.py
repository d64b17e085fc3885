"""Sliding-window rate limits kept in Postgres, so every replica of a service sees one count.

One row per hit in the service's `rate_events` table (created by `create_rate_events_table`
in a migration); hits of one key are serialised with an advisory lock, so parallel requests
cannot all slip under the limit. Callers choose the key (`<action>:account:<id>`,
`<action>:address:<ip>`) and what a refusal means (a silent skip, or 429 with Retry-After).

Two ways to use it. `retry_after`/`allow` lock the key to the end of the caller's
transaction. A hot path whose hits are the exception (e.g. a failed lookup; a success counts
nothing) reads the keys' counts without a lock inside its own statement (`recent_hits_sql`)
and, only when it has a hit to count, records it with `record_within`: the keys are locked
just for that short transaction, so successful requests with one key never take turns.
"""

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.driver_sql import Compiled, driver_connection

TABLE = "rate_events"


async def retry_after(
    session: AsyncSession, key: str, *, limit: int, window: timedelta, now: datetime
) -> int:
    """Seconds until `key` has fewer than `limit` hits in `window` (0: it has now). Records
    nothing; holds the key's lock to the end of the transaction, so a caller that records a hit
    afterwards (`record`) cannot be overtaken by a parallel request. Two round trips: the lock,
    then one statement that drops expired hits and counts the rest; the count runs after the
    lock is held, in a statement of its own, so it sees every hit committed by whoever held the
    lock before."""
    # Through SQLAlchemy's connection (asyncpg's `$n` placeholders, no statement compiled): it
    # begins the session's transaction, which holds the lock to its end.
    await (await session.connection()).exec_driver_sql(_locks_sql(1), (key,))
    (row,) = await _COUNT.fetch(
        await driver_connection(session), keys=[key], limits=[limit], since=now - window
    )
    return wait_seconds(row["hits"], row["oldest"], limit=limit, window=window, now=now)


def _locks_sql(keys: int) -> str:
    """Every key's advisory lock, `$1` to `$<keys>`, taken in the order given (callers name keys
    in one order, so two requests never wait on each other crosswise)."""
    return "SELECT " + ", ".join(f"pg_advisory_xact_lock(hashtext(${i}))" for i in range(1, keys + 1))


def wait_seconds(count: int, oldest: datetime | None, *, limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until a key with `count` hits in the window, the oldest at `oldest`, is under
    `limit` again (0: it is now)."""
    if count < limit or oldest is None:
        return 0
    return max(1, math.ceil((oldest + window - now).total_seconds()))


def first_wait(waits: Iterable[int]) -> int:
    """Of several keys' waits, the one a refusal answers with: the first that is not 0 (0: no
    key refuses)."""
    return next((wait for wait in waits if wait), 0)


def recent_hits_sql(key: str, since: str) -> str:
    """SQL for one row (`hits`, `oldest`) of key `:<key>`'s hits after `:<since>`, to read a
    key's count inside a caller's own statement (no lock: `record_within` decides a hit)."""
    # Only the caller's parameter names are formatted in; the values are bound.
    return f"({_HITS_AFTER.format(key=f':{key}', since=f':{since}')})"


async def record_within(
    connection: asyncpg.Connection, limits: Sequence[tuple[str, int]], *, window: timedelta, now: datetime
) -> list[int]:
    """Record one hit of every key if each key is under its limit (returns all 0); if any is
    not, record nothing and return the waits (as `retry_after`). Under every key's lock,
    taken in the order given, in a transaction of its own that ends here: parallel callers
    take turns only for these two statements, and each sees the hits committed by the one
    before, so no more than `limit` hits are ever recorded. (Called inside a transaction begun
    with asyncpg, it is a savepoint and the locks last to that transaction's end.)"""
    keys = [key for key, _ in limits]
    async with connection.transaction():
        await connection.execute(_locks_sql(len(keys)), *keys)
        # A statement of its own, after the locks: its snapshot includes the previous holder's hit.
        rows = await _COUNT_AND_RECORD.fetch(
            connection, keys=keys, limits=[limit for _, limit in limits], since=now - window, now=now
        )
    return [
        wait_seconds(row["hits"], row["oldest"], limit=row["most"], window=window, now=now) for row in rows
    ]


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


# The one count-in-window clause: one row (`hits`, `oldest`) of the hits of `{key}` after
# `{since}` (SQL written here: a parameter or a column, never a value).
_HITS_AFTER = "SELECT count(*) AS hits, min(at) AS oldest FROM rate_events WHERE key = {key} AND at > {since}"

# Drops the given keys' expired hits and counts the rest, then does what `{then}` adds (a CTE
# on `counted`); answers a row (`key`, `most`, `hits`, `oldest`) per key in the order given, 0
# hits included. Sent straight to asyncpg inside the transaction the locks began
# (shared.driver_sql: no SQLAlchemy work per call).
_COUNTED_SQL = """
WITH expired AS (DELETE FROM rate_events WHERE key = ANY(:keys) AND at <= :since),
counted AS (
    SELECT given.position, given.key, given.most, recent.hits, recent.oldest
    FROM unnest(:keys, :limits) WITH ORDINALITY AS given (key, most, position)
    CROSS JOIN LATERAL ({hits}) AS recent
){then}
SELECT key, most, hits, oldest FROM counted ORDER BY position
"""
_COUNTED_PARAMETERS = (
    sa.bindparam("keys", type_=sa.ARRAY(sa.String)),
    sa.bindparam("limits", type_=sa.ARRAY(sa.Integer)),
    sa.bindparam("since", type_=sa.DateTime(timezone=True)),
)


def _counted_sql(then: str) -> str:
    return _COUNTED_SQL.format(hits=_HITS_AFTER.format(key="given.key", since=":since"), then=then)


_COUNT = Compiled(text(_counted_sql(then="")).bindparams(*_COUNTED_PARAMETERS))
# The same, and one hit of every key recorded at `:now` unless one of them is at its limit.
_RECORD_UNLESS_ONE_IS_FULL = """,
recorded AS (
    INSERT INTO rate_events (key, at) SELECT key, :now FROM counted
    WHERE NOT EXISTS (SELECT FROM counted WHERE hits >= most)
)"""
_COUNT_AND_RECORD = Compiled(
    text(_counted_sql(then=_RECORD_UNLESS_ONE_IS_FULL)).bindparams(
        *_COUNTED_PARAMETERS, sa.bindparam("now", type_=sa.DateTime(timezone=True))
    )
)


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
