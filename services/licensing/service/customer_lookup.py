"""Who may look a license or contract up by serial and registration number, and how often.

A miss costs what a hit costs, and every miss is counted per account and per address.

Both lookups read the limit's counts without a lock, in the one statement that reads their
other facts (`CALLER_COLUMNS` and `CALLER_FROM` are that statement's common part); a miss is
then counted under the keys' locks in a short transaction of its own and answered 404 only if
it still fits (`refuse_counted_miss`), so parallel guesses get no more answers than the limit
allows while successful lookups from one address never take turns. A hit records nothing; it
is answered only if the counts it read were under the limits, i.e. as if it came before any
miss still in flight.
"""

from datetime import datetime, timedelta
from typing import Any, NoReturn
from uuid import UUID

import asyncpg
from sqlalchemy import String, bindparam, text
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import schemas
from services.licensing.config import Settings
from services.licensing.models import Contract, License
from services.licensing.problems import ACCOUNT_NOT_VERIFIED, LICENSE_NOT_FOUND
from services.licensing.serials import registration_hash
from services.licensing.service.ownership import LICENSES
from services.licensing.service.repository import canonical_serial, utcnow
from services.licensing.texts import (
    CHECK_SERIAL_AND_REGISTRATION,
    TOO_MANY_WRONG_NUMBERS,
    VERIFY_ACCOUNT_FIRST,
)
from shared import ratelimit
from shared.auth import Principal
from shared.driver_sql import Compiled
from shared.http.problems import RATE_LIMITED, Problem

# Compared against when the serial does not exist, so a miss costs what a hit costs.
ABSENT_HASH = "0" * 64

# What every lookup's facts statement reads, whatever it looks up: whether the caller is
# verified, their name and organization, and the limit's counts for their account and address
# (no lock: a miss is decided by `refuse_counted_miss`). At least one row, even for an unknown
# serial; the parameters are `CALLER_PARAMETERS`, their values `caller_arguments`.
CALLER_COLUMNS = """caller.account_id IS NOT NULL AS caller_verified,
       caller.disabled AS caller_disabled,
       caller.name AS caller_name,
       (SELECT organization_id FROM memberships WHERE user_id = :account_id) AS caller_organization_id,
       account_misses.hits AS account_misses, account_misses.oldest AS account_oldest_miss,
       address_misses.hits AS address_misses, address_misses.oldest AS address_oldest_miss"""
CALLER_FROM = f"""FROM {ratelimit.recent_hits_sql("account_key", "since")} AS account_misses
CROSS JOIN {ratelimit.recent_hits_sql("address_key", "since")} AS address_misses
LEFT JOIN verified_account AS caller ON caller.account_id = :account_id"""
CALLER_PARAMETERS: tuple[BindParameter[Any], ...] = (
    bindparam("account_id", type_=LICENSES.c.account_id.type),
    bindparam("account_key", type_=String),
    bindparam("address_key", type_=String),
    bindparam("since", type_=TIMESTAMP(timezone=True)),
)


def lookup_keys(user: Principal, address: str, settings: Settings) -> tuple[tuple[str, int], ...]:
    """The limit's (key, most misses per window) pairs: the caller's account, then their address."""
    # The account first: every request takes the keys' locks in the same order (no deadlock).
    return (
        (f"lookup-miss:account:{user.user_id}", settings.lookup_failures_per_account),
        (f"lookup-miss:address:{address}", settings.lookup_failures_per_address),
    )


def lookup_window(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.lookup_window_seconds)


def caller_arguments(settings: Settings, user: Principal, address: str, now: datetime) -> dict[str, Any]:
    """The values of `CALLER_PARAMETERS` for a lookup at `now`."""
    (account_key, _), (address_key, _) = lookup_keys(user, address, settings)
    return {
        "account_id": user.user_id,
        "account_key": account_key,
        "address_key": address_key,
        "since": now - lookup_window(settings),
    }


def refuse_caller(
    facts: asyncpg.Record, settings: Settings, user: Principal, address: str, now: datetime
) -> None:
    """The caller's own refusals, from a row with `CALLER_COLUMNS`: not verified or disabled
    (403), then too many wrong numbers (429 with Retry-After)."""
    if not facts["caller_verified"] or facts["caller_disabled"]:
        raise Problem(ACCOUNT_NOT_VERIFIED, detail=VERIFY_ACCOUNT_FIRST())
    window = lookup_window(settings)
    # `lookup_keys`' order: the account's misses, then the address's.
    waits = (
        ratelimit.wait_seconds(
            facts[f"{whose}_misses"], facts[f"{whose}_oldest_miss"], limit=limit, window=window, now=now
        )
        for whose, (_, limit) in zip(
            ("account", "address"), lookup_keys(user, address, settings), strict=True
        )
    )
    refuse_if_limited(ratelimit.first_wait(waits))


def refuse_if_limited(wait: int) -> None:
    if wait:
        raise Problem(
            RATE_LIMITED,
            detail=TOO_MANY_WRONG_NUMBERS(seconds=wait),
            headers={"Retry-After": str(wait)},
        )


def serial_or_refusal(settings: Settings, serial: str) -> tuple[str, Problem | None]:
    """The canonical serial, or "" and the refusal (422) of a malformed one: a lookup refuses it
    only after the caller's own refusals, meanwhile it reads as a serial that matches nothing."""
    try:
        return canonical_serial(settings, serial), None
    except Problem as problem:
        return "", problem


async def refuse_counted_miss(
    connection: asyncpg.Connection, settings: Settings, user: Principal, address: str
) -> NoReturn:
    """Wrong serial, wrong registration number or void license: indistinguishable on purpose.
    The miss is counted under the keys' locks in a transaction of its own (shared.ratelimit.
    record_within) and answered 404 only if it fit under both limits; else 429 and nothing
    recorded, so parallel guesses cannot get more than the limit's number of answers."""
    limits = lookup_keys(user, address, settings)
    waits = await ratelimit.record_within(connection, limits, window=lookup_window(settings), now=utcnow())
    refuse_if_limited(ratelimit.first_wait(waits))
    raise Problem(LICENSE_NOT_FOUND, detail=CHECK_SERIAL_AND_REGISTRATION())


# The caller's facts and the one bound-or-not, non-void contract of the serial with this
# registration number (NULL if none).
_CONTRACT_FACTS_SQL = """
SELECT {caller_columns},
       (SELECT contract.id FROM contract JOIN license ON license.id = contract.license_id
        WHERE license.serial = :serial AND contract.registration_hash = :digest
          AND contract.voided_at IS NULL AND license.voided_at IS NULL
        LIMIT 1) AS contract_id
{caller_from}
"""
_CONTRACT_FACTS = Compiled(
    text(_CONTRACT_FACTS_SQL.format(caller_columns=CALLER_COLUMNS, caller_from=CALLER_FROM)).bindparams(
        *CALLER_PARAMETERS,
        bindparam("serial", type_=LICENSES.c.serial.type),
        bindparam("digest", type_=String),
    )
)


async def look_up_contract(
    connection: asyncpg.Connection,
    settings: Settings,
    user: Principal,
    address: str,
    lookup: schemas.LookupRequest,
) -> tuple[UUID, UUID | None]:
    """The contract matching serial and registration number and the caller's organization, or
    the refusal: not verified (403), too many wrong numbers (429), malformed serial (422), no
    such contract (404, counted as a miss) — in that order, as a license lookup answers.

    Sent on `connection` before any transaction is begun on it: one statement on its own, and a
    miss counted in a transaction of its own."""
    serial, malformed = serial_or_refusal(settings, lookup.serial)
    now = utcnow()
    (facts,) = await _CONTRACT_FACTS.fetch(
        connection,
        serial=serial,
        digest=registration_hash(settings.pepper, lookup.registration_number),
        **caller_arguments(settings, user, address, now),
    )
    refuse_caller(facts, settings, user, address, now)
    if malformed is not None:
        raise malformed
    if facts["contract_id"] is None:
        await refuse_counted_miss(connection, settings, user, address)
    return facts["contract_id"], facts["caller_organization_id"]


async def matched_contract(
    session: AsyncSession, contract_id: UUID, *, lock: bool
) -> tuple[Contract, License]:
    """The contract a lookup matched and its license, locked for a bind if `lock`. Voided since
    the lookup read it: 404 like a miss, not counted (the numbers were right)."""
    query = (
        select(Contract, License)
        .join(License, col(License.id) == Contract.license_id)
        .where(Contract.id == contract_id)
    )
    if lock:
        query = query.with_for_update()
    found = (await session.exec(query)).first()
    if found is None or found[0].voided_at is not None or found[1].voided_at is not None:
        raise Problem(LICENSE_NOT_FOUND, detail=CHECK_SERIAL_AND_REGISTRATION())
    return found
