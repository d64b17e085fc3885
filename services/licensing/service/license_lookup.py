"""Preview and bind a license by serial and registration number in few round trips.

Both are the customer's hottest licensing requests, and neither needs a transaction: ONE
statement reads every fact the answer needs (whether the caller is verified and their name,
the organization they belong to, the lookup limit's counts for their account and address, the
license they name, its bound, non-void contracts and who bound it), and a bind writes the owner
and the `LicenseBound` outbox row in one more, which changes the license only if it is still
unbound (a bind that lost a race reads the facts again and answers like a later bind would).

The lookup limit (at most N failed lookups per window, per account and per address) is read in
the facts statement without a lock; a miss is counted in a short transaction of its own
(customer_lookup: the same for contracts).

The statements are pre-compiled and sent straight to asyncpg on an autocommit connection
(shared.driver_sql).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import bindparam, func, select, text, update

from services.licensing import schemas
from services.licensing.config import Settings
from services.licensing.events import SOURCE, license_bound
from services.licensing.models import Base, Contract, License
from services.licensing.serials import registration_hash, same_hash
from services.licensing.service.customer_lookup import (
    ABSENT_HASH,
    CALLER_COLUMNS,
    CALLER_FROM,
    CALLER_PARAMETERS,
    caller_arguments,
    refuse_caller,
    refuse_counted_miss,
    serial_or_refusal,
)
from services.licensing.service.ownership import LICENSES
from services.licensing.service.repository import coverage_from, utcnow
from shared.auth import Principal
from shared.driver_sql import Compiled
from shared.entitlements import Coverage
from shared.outbox_rows import outbox_insert_if_any, outbox_values

_LICENSE_COLUMNS = tuple(column.name for column in LICENSES.c)
_CONTRACT_COLUMNS = tuple(column.name for column in Base.metadata.tables["contract"].c)

# One row per bound, non-void contract of the license (at least one row: the caller's facts
# and the limit's counts come even when the serial matches nothing).
_FACTS_SQL = """
SELECT {caller_columns},
       {license_columns},
       binder.name AS bound_by,
       {contract_columns}
{caller_from}
LEFT JOIN license AS found ON found.serial = :serial
LEFT JOIN verified_account AS binder ON binder.account_id = found.account_id
LEFT JOIN contract ON contract.license_id = found.id
    AND contract.voided_at IS NULL AND contract.bound_at IS NOT NULL
ORDER BY contract.starts_on
"""
_FACTS = Compiled(
    text(
        _FACTS_SQL.format(
            caller_columns=CALLER_COLUMNS,
            license_columns=", ".join(f"found.{name}" for name in _LICENSE_COLUMNS),
            contract_columns=", ".join(f"contract.{name} AS contract_{name}" for name in _CONTRACT_COLUMNS),
            caller_from=CALLER_FROM,
        )
    ).bindparams(*CALLER_PARAMETERS, bindparam("serial", type_=LICENSES.c.serial.type))
)

# The new owner, only if the license is still unbound and not void, and the event that
# announces it only if so; one statement, atomic on its own. Answers how many rows it bound.
_BOUND = (
    update(LICENSES)
    .where(
        LICENSES.c.id == bindparam("license_id"),
        LICENSES.c.account_id.is_(None),
        LICENSES.c.voided_at.is_(None),
    )
    .values(
        account_id=bindparam("account_id"),
        organization_id=bindparam("organization_id"),
        bound_at=bindparam("bound_at"),
    )
    .returning(LICENSES.c.id)
    .cte("bound_license")
)
_BIND = Compiled(
    select(func.count()).select_from(_BOUND).add_cte(outbox_insert_if_any(_BOUND).cte("queued_event"))
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
    connection: asyncpg.Connection,
    settings: Settings,
    user: Principal,
    address: str,
    lookup: schemas.LookupRequest,
) -> LookedUp:
    """The license matching serial and registration number, or the refusal: not verified (403),
    too many wrong numbers (429), malformed serial (422), no such license (404, counted as a
    miss) — in that order."""
    serial, malformed = serial_or_refusal(settings, lookup.serial)
    digest = registration_hash(settings.pepper, lookup.registration_number)  # always: same cost
    now = utcnow()
    rows = await _FACTS.fetch(connection, serial=serial, **caller_arguments(settings, user, address, now))
    first = rows[0]
    refuse_caller(first, settings, user, address, now)
    if malformed is not None:
        raise malformed
    found = first["id"] is not None
    matches = same_hash(first["registration_hash"] if found else ABSENT_HASH, digest)
    if not found or not matches or first["voided_at"] is not None:
        await refuse_counted_miss(connection, settings, user, address)
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


async def bind(connection: asyncpg.Connection, found: LookedUp, user: Principal, moment: datetime) -> bool:
    """Make the caller (and their organization, if any) the owner, and queue `LicenseBound`, if
    the license is still unbound and not void; False if another bind (or a void) came first.
    `found.license` shows the new owner only if this bind won."""
    license = found.license
    before = (license.account_id, license.organization_id, license.bound_at)
    # The event announces the license as the write leaves it; if the write loses, the license
    # is put back as it was read (three attributes: cheaper than building a copy of the model).
    license.account_id, license.organization_id, license.bound_at = (
        user.user_id,
        found.organization_id,
        moment,
    )
    bound = await _BIND.fetch(
        connection,
        license_id=license.id,
        account_id=license.account_id,
        organization_id=license.organization_id,
        bound_at=moment,
        **outbox_values(license_bound(license, found.coverage), source=SOURCE),
    )
    if not bound[0][0]:
        license.account_id, license.organization_id, license.bound_at = before
        return False
    return True
