"""Who may look a license or contract up by serial and registration number, and how often.

A miss costs what a hit costs, and every miss is counted per account and per address.
"""

from datetime import timedelta
from typing import NoReturn

import asyncpg
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import schemas
from services.licensing.config import Settings
from services.licensing.models import Contract, License, VerifiedAccount
from services.licensing.problems import ACCOUNT_NOT_VERIFIED, LICENSE_NOT_FOUND
from services.licensing.serials import registration_hash
from services.licensing.service.repository import canonical_serial, utcnow
from services.licensing.texts import (
    CHECK_SERIAL_AND_REGISTRATION,
    TOO_MANY_WRONG_NUMBERS,
    VERIFY_ACCOUNT_FIRST,
)
from shared import ratelimit
from shared.auth import Principal
from shared.http.problems import RATE_LIMITED, Problem

# Compared against when the serial does not exist, so a miss costs what a hit costs.
ABSENT_HASH = "0" * 64


async def require_verified_account(session: AsyncSession, user: Principal) -> VerifiedAccount:
    account = await session.get(VerifiedAccount, user.user_id)
    if account is None or account.disabled:
        raise Problem(
            ACCOUNT_NOT_VERIFIED,
            detail=VERIFY_ACCOUNT_FIRST(),
        )
    return account


def lookup_keys(user: Principal, address: str, settings: Settings) -> tuple[tuple[str, int], ...]:
    """The limit's (key, most misses per window) pairs: the caller's account, then their address."""
    # The account first: every request takes the keys' locks in the same order (no deadlock).
    return (
        (f"lookup-miss:account:{user.user_id}", settings.lookup_failures_per_account),
        (f"lookup-miss:address:{address}", settings.lookup_failures_per_address),
    )


async def lookup_wait(session: AsyncSession, settings: Settings, user: Principal, address: str) -> int:
    """Seconds until the caller may look up again (0: now): at most N failed lookups per window
    per account and per address, counted in Postgres (shared/ratelimit.py) so every replica sees
    the same count. The keys stay locked until the transaction ends, so parallel requests take
    turns and cannot all slip under the limit."""
    window = timedelta(seconds=settings.lookup_window_seconds)
    limits = lookup_keys(user, address, settings)
    waits = await ratelimit.retry_after_each(session, limits, window=window, now=utcnow())
    return next((wait for wait in waits if wait), 0)


def refuse_if_limited(wait: int) -> None:
    if wait:
        raise Problem(
            RATE_LIMITED,
            detail=TOO_MANY_WRONG_NUMBERS(seconds=wait),
            headers={"Retry-After": str(wait)},
        )


async def enforce_lookup_limit(
    session: AsyncSession, settings: Settings, user: Principal, address: str
) -> None:
    refuse_if_limited(await lookup_wait(session, settings, user, address))


async def refuse_lookup(session: AsyncSession, settings: Settings, user: Principal, address: str) -> NoReturn:
    """Wrong serial, wrong registration number or void license: indistinguishable on purpose.
    The failed attempt is kept (committed) so that the lookup limit counts it."""
    moment = utcnow()
    for key, _ in lookup_keys(user, address, settings):
        await ratelimit.record(session, key, moment)
    raise Problem(LICENSE_NOT_FOUND, detail=CHECK_SERIAL_AND_REGISTRATION(), keep_changes=True)


async def refuse_counted_miss(
    connection: asyncpg.Connection, settings: Settings, user: Principal, address: str
) -> NoReturn:
    """A miss for a lookup that read the limit's counts without a lock (license_lookup): the
    miss is counted under the keys' locks in a transaction of its own (shared.ratelimit.
    record_within) and answered 404 only if it fit under both limits; else 429 and nothing
    recorded, so parallel guesses cannot get more than the limit's number of answers."""
    window = timedelta(seconds=settings.lookup_window_seconds)
    limits = lookup_keys(user, address, settings)
    waits = await ratelimit.record_within(connection, limits, window=window, now=utcnow())
    refuse_if_limited(next((wait for wait in waits if wait), 0))
    raise Problem(LICENSE_NOT_FOUND, detail=CHECK_SERIAL_AND_REGISTRATION())


async def matching_contract(
    session: AsyncSession, settings: Settings, lookup: schemas.LookupRequest, *, lock: bool
) -> tuple[Contract, License] | None:
    serial = canonical_serial(settings, lookup.serial)
    digest = registration_hash(settings.pepper, lookup.registration_number)
    query = (
        select(Contract, License)
        .join(License, col(License.id) == Contract.license_id)
        .where(License.serial == serial, Contract.registration_hash == digest)
    )
    if lock:
        query = query.with_for_update()
    found = (await session.exec(query)).first()
    if found is None:
        return None
    contract, license = found
    if contract.voided_at is not None or license.voided_at is not None:
        return None
    return contract, license
