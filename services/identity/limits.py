"""Password-guessing protection, kept in Postgres so every replica sees the same counts.

Failed password checks (sign-in, and the current password asked by /me/password and
/me/email) are counted under three keys, each with its own consequence:

- `pair:<address>|<email>`: one address guessing one account. Reaching the limit locks that
  pair (429 + Retry-After), each lock in a streak twice the previous one (capped).
- `address:<address>`: one address spraying many accounts. Locks that address the same way.
- `account:<email>`: every address together. This never blocks: it only slows each check
  (backoff), so strangers elsewhere cannot lock the owner out. The owner is mailed a one-time
  unlock link that clears the account's counters and lets the address it is opened from past
  an address lock for a while (`unlocked:<address>|<email>`).

Keys of unknown emails are counted too, so a refusal tells nothing about whether an account
exists. The address comes first in composite keys: it holds no `|`, an email may.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import TextClause, text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.models import LoginThrottle


def account_key(email_key: str) -> str:
    return f"account:{email_key}"


def address_key(address: str) -> str:
    return f"address:{address}"


def pair_key(email_key: str, address: str) -> str:
    return f"pair:{address}|{email_key}"


def unlocked_key(email_key: str, address: str) -> str:
    return f"unlocked:{address}|{email_key}"


@dataclass(frozen=True)
class LockPolicy:
    max_failures: int
    lock: timedelta
    max_lock: timedelta
    failure_window: timedelta


@dataclass(frozen=True)
class BackoffPolicy:
    after_failures: int  # account-wide failures before checks slow down
    base_seconds: float  # the first delay; each further failure doubles it
    max_seconds: float
    failure_window: timedelta

    def delay(self, failures: int) -> float:
        if failures < self.after_failures:
            return 0.0
        return min(self.base_seconds * 2 ** (failures - self.after_failures), self.max_seconds)


@dataclass(frozen=True)
class GuessState:
    """What the counters say before a password is checked."""

    locked_for: int  # seconds until this address may try this account again (0: now)
    backoff_seconds: float  # how long to wait before checking the password


def _seconds_until(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds()) + 1)


async def guess_state(
    session: AsyncSession, email_key: str, address: str, backoff: BackoffPolicy, now: datetime
) -> GuessState:
    keys = [pair_key(email_key, address), address_key(address), account_key(email_key)]
    keys.append(unlocked_key(email_key, address))
    rows = {
        row.key: row
        for row in (
            await session.execute(
                text(
                    "SELECT key, failures, last_failure_at, locked_until FROM login_throttle WHERE key = ANY(:k)"
                ),
                {"k": keys},
            )
        ).all()
    }
    unlocked = keys[3] in rows and (rows[keys[3]].locked_until or now) > now
    lock_keys = keys[:1] if unlocked else keys[:2]
    locks = [rows[k].locked_until for k in lock_keys if k in rows and rows[k].locked_until]
    active = [until for until in locks if until > now]
    locked_for = _seconds_until(max(active), now) if active else 0
    account = rows.get(keys[2])
    failures = 0
    if (
        account is not None
        and account.last_failure_at
        and now - account.last_failure_at <= backoff.failure_window
    ):
        failures = account.failures
    return GuessState(locked_for, backoff.delay(failures))


async def _throttle_row(session: AsyncSession, key: str) -> LoginThrottle:
    await session.execute(
        text(
            "INSERT INTO login_throttle (key, failures, lock_level) VALUES (:key, 0, 0) ON CONFLICT (key) DO NOTHING"
        ),
        {"key": key},
    )
    row = await session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


async def record_failure(session: AsyncSession, key: str, policy: LockPolicy, now: datetime) -> None:
    row = await _throttle_row(session, key)
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


async def count_failure(session: AsyncSession, key: str, window: timedelta, now: datetime) -> int:
    """Count one more failure under `key` (restarting after a quiet `window`); never locks."""
    row = await _throttle_row(session, key)
    if row.last_failure_at is not None and now - row.last_failure_at > window:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    session.add(row)
    await session.flush()
    return row.failures


async def grant_unlocked(session: AsyncSession, email_key: str, address: str, until: datetime) -> None:
    """Let `address` sign in to this account past an address lock until `until`."""
    await session.execute(
        text(
            "INSERT INTO login_throttle (key, failures, lock_level, locked_until) VALUES (:key, 0, 0, :until) "
            "ON CONFLICT (key) DO UPDATE SET locked_until = :until"
        ),
        {"key": unlocked_key(email_key, address), "until": until},
    )


async def clear_account(session: AsyncSession, email_key: str) -> None:
    """Forget the account's failures and every address's lock on it (not the addresses' own)."""
    await session.execute(
        text(
            "DELETE FROM login_throttle WHERE key = :account "
            "OR (key LIKE 'pair:%' AND right(key, :n) = :suffix)"
        ),
        {"account": account_key(email_key), "n": len(email_key) + 1, "suffix": f"|{email_key}"},
    )


def locked_accounts_clause(now: datetime) -> TextClause:
    """SQL condition on `users`: some address holds a lock on the account right now (the same
    pair locks `account_lock` reads), for narrowing a staff search to locked accounts."""
    return text(
        "EXISTS (SELECT 1 FROM login_throttle t WHERE t.key LIKE 'pair:%' AND t.locked_until > :now "
        "AND right(t.key, length(users.email_key) + 1) = '|' || users.email_key)"
    ).bindparams(now=now)


@dataclass(frozen=True)
class AccountLock:
    locked_until: datetime | None  # the latest lock any address has on this account
    recent_failures: int  # failures from every address in the current streak


async def account_lock(session: AsyncSession, email_key: str, now: datetime) -> AccountLock:
    row = (
        await session.execute(
            text(
                "SELECT max(locked_until) FILTER (WHERE key LIKE 'pair:%' AND locked_until > :now), "
                "coalesce(max(failures) FILTER (WHERE key = :account), 0) FROM login_throttle "
                "WHERE key = :account OR (key LIKE 'pair:%' AND right(key, :n) = :suffix)"
            ),
            {
                "now": now,
                "account": account_key(email_key),
                "n": len(email_key) + 1,
                "suffix": f"|{email_key}",
            },
        )
    ).one()
    return AccountLock(row[0], row[1])
