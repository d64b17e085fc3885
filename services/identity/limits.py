"""Rate limits and login lockout, kept in Postgres so every replica sees the same counts.

`allow` is a sliding window (one row per hit) serialised per key with an advisory lock.
Login lockout counts consecutive failures per key (`account:<email>` whether or not the
account exists, `address:<ip>`); reaching the limit locks the key, each lock in a streak
lasting twice the previous one (capped). Locks clear by themselves when they expire.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.models import LoginThrottle


async def allow(session: AsyncSession, key: str, *, limit: int, window: timedelta, now: datetime) -> int:
    """Record a hit if under `limit` in `window`: 0 if allowed, else seconds until a slot frees."""
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
        return max(1, int((oldest + window - now).total_seconds()) + 1)
    await session.execute(
        text("INSERT INTO rate_events (key, at) VALUES (:key, :at)"), {"key": key, "at": now}
    )
    return 0


async def prune_rate_events(session: AsyncSession, older_than: datetime) -> None:
    await session.execute(text("DELETE FROM rate_events WHERE at < :t"), {"t": older_than})


def account_key(email_key: str) -> str:
    return f"account:{email_key}"


def address_key(address: str) -> str:
    return f"address:{address}"


@dataclass(frozen=True)
class LockPolicy:
    max_failures: int
    lock: timedelta
    max_lock: timedelta
    failure_window: timedelta


async def locked_for(session: AsyncSession, keys: list[str], now: datetime) -> int:
    """Seconds until every one of `keys` is unlocked (0: none is locked)."""
    rows = await session.execute(
        text("SELECT max(locked_until) FROM login_throttle WHERE key = ANY(:keys) AND locked_until > :now"),
        {"keys": keys, "now": now},
    )
    until = rows.scalar()
    return 0 if until is None else max(1, int((until - now).total_seconds()) + 1)


async def record_failure(session: AsyncSession, key: str, policy: LockPolicy, now: datetime) -> None:
    await session.execute(
        text(
            "INSERT INTO login_throttle (key, failures, lock_level) VALUES (:key, 0, 0) ON CONFLICT (key) DO NOTHING"
        ),
        {"key": key},
    )
    row = await session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    assert row is not None
    if row.last_failure_at is not None and now - row.last_failure_at > policy.failure_window:
        row.failures = 0  # a failure long ago is not part of this attack
    if (
        row.last_failure_at is not None
        and now - row.last_failure_at > policy.max_lock + policy.failure_window
    ):
        row.lock_level = 0  # a quiet day forgives earlier locks
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= policy.max_failures:
        row.locked_until = now + min(policy.lock * (2**row.lock_level), policy.max_lock)
        row.lock_level += 1
        row.failures = 0
    session.add(row)
    await session.flush()


async def clear(session: AsyncSession, key: str) -> None:
    await session.execute(text("DELETE FROM login_throttle WHERE key = :key"), {"key": key})


async def throttle_state(session: AsyncSession, key: str) -> LoginThrottle | None:
    return await session.get(LoginThrottle, key, populate_existing=True)
