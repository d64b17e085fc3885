"""Preview and bind a license by serial and registration number in few round trips.

Both are the customer's hottest licensing requests. After the lookup limit (its keys' locks and
counts, shared.ratelimit), ONE statement reads every fact the answer needs: whether the caller
is verified and their name, the organization they belong to, the license they name (locked for a
bind: concurrent binds of one serial take turns), its bound, non-void contracts and who bound it.
A bind then writes the owner and the `LicenseBound` outbox row in one more statement. The
statements are pre-compiled and sent straight to asyncpg on the session's connection, inside
the transaction the lookup limit began (shared.driver_sql).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import bindparam, text, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import schemas
from services.licensing.config import Settings
from services.licensing.events import SOURCE, license_bound
from services.licensing.models import Base, Contract, License
from services.licensing.problems import ACCOUNT_NOT_VERIFIED
from services.licensing.serials import registration_hash, same_hash
from services.licensing.service.customer_lookup import (
    ABSENT_HASH,
    lookup_wait,
    refuse_if_limited,
    refuse_lookup,
)
from services.licensing.service.ownership import LICENSES
from services.licensing.service.repository import canonical_serial, coverage_from
from services.licensing.texts import VERIFY_ACCOUNT_FIRST
from shared.auth import Principal
from shared.driver_sql import Compiled, driver_connection
from shared.entitlements import Coverage
from shared.http.problems import Problem
from shared.outbox_rows import outbox_insert, outbox_values

_LICENSE_COLUMNS = tuple(column.name for column in LICENSES.c)
_CONTRACT_COLUMNS = tuple(column.name for column in Base.metadata.tables["contract"].c)

# One row per bound, non-void contract of the license (at least one row: the caller's facts
# come even when the serial matches nothing). A blocked FOR UPDATE returns the row as the
# bind it waited for left it, so the loser of a race sees the winner as the owner.
_FACTS_SQL = """
WITH found AS (SELECT * FROM license WHERE serial = :serial {lock})
SELECT caller.account_id IS NOT NULL AS caller_verified,
       caller.disabled AS caller_disabled,
       caller.name AS caller_name,
       (SELECT organization_id FROM memberships WHERE user_id = :account_id) AS caller_organization_id,
       {license_columns},
       binder.name AS bound_by,
       {contract_columns}
FROM (VALUES (1)) AS one
LEFT JOIN verified_account AS caller ON caller.account_id = :account_id
LEFT JOIN found ON true
LEFT JOIN verified_account AS binder ON binder.account_id = found.account_id
LEFT JOIN contract ON contract.license_id = found.id
    AND contract.voided_at IS NULL AND contract.bound_at IS NOT NULL
ORDER BY contract.starts_on
"""


def _facts(lock: str) -> Compiled:
    sql = _FACTS_SQL.format(
        lock=lock,
        license_columns=", ".join(f"found.{name}" for name in _LICENSE_COLUMNS),
        contract_columns=", ".join(f"contract.{name} AS contract_{name}" for name in _CONTRACT_COLUMNS),
    )
    statement = text(sql).bindparams(
        bindparam("serial", type_=LICENSES.c.serial.type),
        bindparam("account_id", type_=LICENSES.c.account_id.type),
    )
    return Compiled(statement)


_PREVIEW_FACTS = _facts(lock="")
_BIND_FACTS = _facts(lock="FOR UPDATE")
# The new owner and the event that announces it, together (one statement, one round trip).
_BIND = Compiled(
    outbox_insert().add_cte(
        update(LICENSES)
        .where(LICENSES.c.id == bindparam("license_id"))
        .values(
            account_id=bindparam("account_id"),
            organization_id=bindparam("organization_id"),
            bound_at=bindparam("bound_at"),
        )
        .cte("bound_license")
    )
)


def _contract(row: asyncpg.Record) -> Contract:
    values: dict[str, Any] = {name: row[f"contract_{name}"] for name in _CONTRACT_COLUMNS}
    return Contract(**values)


@dataclass
class LookedUp:
    """The license a lookup matched (a detached row), its coverage and who asks."""

    license: License
    contracts: list[Contract]
    coverage: Coverage
    organization_id: UUID | None  # the caller's
    caller_name: str
    bound_by: str | None  # who bound it, if anyone


async def look_up(
    session: AsyncSession,
    settings: Settings,
    user: Principal,
    address: str,
    lookup: schemas.LookupRequest,
    *,
    lock: bool,
) -> LookedUp:
    """The license matching serial and registration number, or the refusal: not verified (403),
    too many wrong numbers (429), no such license (404, counted as a miss) — in that order."""
    # A malformed serial is refused (422) only after the caller's own refusals, as a lookup
    # would: meanwhile it reads as a serial that matches nothing.
    malformed: Problem | None = None
    try:
        serial = canonical_serial(settings, lookup.serial)
    except Problem as problem:
        serial, malformed = "", problem
    digest = registration_hash(settings.pepper, lookup.registration_number)  # always: same cost
    wait = await lookup_wait(session, settings, user, address)  # begins the transaction
    statement = _BIND_FACTS if lock else _PREVIEW_FACTS
    rows = await statement.fetch(await driver_connection(session), serial=serial, account_id=user.user_id)
    first = rows[0]
    if not first["caller_verified"] or first["caller_disabled"]:
        raise Problem(ACCOUNT_NOT_VERIFIED, detail=VERIFY_ACCOUNT_FIRST())
    refuse_if_limited(wait)
    if malformed is not None:
        raise malformed
    found = first["id"] is not None
    matches = same_hash(first["registration_hash"] if found else ABSENT_HASH, digest)
    if not found or not matches or first["voided_at"] is not None:
        await refuse_lookup(session, settings, user, address)
    license = License(**{name: first[name] for name in _LICENSE_COLUMNS})
    contracts = [_contract(row) for row in rows if row["contract_id"] is not None]
    return LookedUp(
        license=license,
        contracts=contracts,
        coverage=coverage_from(license, contracts),
        organization_id=first["caller_organization_id"],
        caller_name=first["caller_name"],
        bound_by=first["bound_by"],
    )


async def bind(session: AsyncSession, found: LookedUp, user: Principal, moment: datetime) -> None:
    """Make the caller (and their organization, if any) the owner, and queue `LicenseBound`."""
    license = found.license
    license.account_id, license.organization_id, license.bound_at = (
        user.user_id,
        found.organization_id,
        moment,
    )
    await _BIND.execute(
        await driver_connection(session),
        license_id=license.id,
        account_id=license.account_id,
        organization_id=license.organization_id,
        bound_at=moment,
        **outbox_values(license_bound(license, found.coverage), source=SOURCE),
    )
