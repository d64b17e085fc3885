"""My licenses as the customer reads them, in one statement.

`GET /me/licenses` and `GET /me/licenses/{id}` are the portal's most frequent calls. Each reads
the licenses the caller may use (`shared.holdings.owned_by_member`: their own, and their
organization's, the organization looked up inside the statement), each license's bound,
non-void contracts, and who bound it — one SELECT with two outer joins, declared with Core and
rendered once for asyncpg (`shared.driver_sql.Compiled`), sent straight to the driver: one round
trip, no SQLAlchemy per request, the driver's records read as they are. The view is built by
the same pieces as every other view of a customer's license (`customer_licenses`).
"""

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple, cast
from uuid import UUID

import asyncpg
from sqlalchemy import Uuid, and_, bindparam, select

from services.licensing import schemas
from services.licensing.config import Settings
from services.licensing.models import MEMBERSHIPS, Base
from services.licensing.problems import NOT_FOUND
from services.licensing.service.customer_licenses import coverage_view, license_file_url, timeline_of
from services.licensing.service.repository import today
from services.licensing.texts import NO_LICENSE_OF_YOURS
from shared.auth import Principal
from shared.driver_sql import Compiled
from shared.entitlements import Coverage, Period
from shared.holdings import owned_by_member
from shared.http.problems import Problem

LICENSES = Base.metadata.tables["license"]
CONTRACTS = Base.metadata.tables["contract"]
ACCOUNTS = Base.metadata.tables["verified_account"]
PUBLIC_TERMS = tuple(schemas.LicensePublic.model_fields)


class ContractRow(NamedTuple):
    id: UUID
    starts_on: date
    ends_on: date


def _query(one: bool) -> Any:
    """Built once, with the caller (and the license) as bound parameters: building a statement
    per request, and computing its cache key, cost more than running it."""
    bound_contracts = and_(
        CONTRACTS.c.license_id == LICENSES.c.id,
        CONTRACTS.c.voided_at.is_(None),
        CONTRACTS.c.bound_at.is_not(None),
    )
    query = (
        select(
            *(LICENSES.c[name] for name in PUBLIC_TERMS),
            LICENSES.c.id,
            LICENSES.c.account_id,
            LICENSES.c.organization_id,
            LICENSES.c.bound_at,
            ACCOUNTS.c.name.label("bound_by"),
            CONTRACTS.c.id.label("contract_id"),
            CONTRACTS.c.starts_on.label("contract_starts_on"),
            CONTRACTS.c.ends_on.label("contract_ends_on"),
        )
        .select_from(
            LICENSES.outerjoin(ACCOUNTS, ACCOUNTS.c.account_id == LICENSES.c.account_id).outerjoin(
                CONTRACTS, bound_contracts
            )
        )
        .where(
            # The rule takes the caller's id; here a parameter stands in for it (same SQL).
            owned_by_member(LICENSES, cast(UUID, bindparam("user_id", type_=Uuid())), MEMBERSHIPS),
            LICENSES.c.voided_at.is_(None),
        )
        .order_by(LICENSES.c.bound_at, LICENSES.c.id, CONTRACTS.c.starts_on)
    )
    return query.where(LICENSES.c.id == bindparam("license_id", type_=Uuid())) if one else query


ALL_OF_MINE = Compiled(_query(one=False))
ONE_OF_MINE = Compiled(_query(one=True))


def _view(
    settings: Settings, day: date, row: asyncpg.Record, contracts: Sequence[ContractRow]
) -> schemas.CustomerLicense:
    purchased_on, warranty_ends = row["purchased_on"], row["warranty_ends"]
    coverage = coverage_view(
        Coverage.of(Period(purchased_on, warranty_ends), (Period(c.starts_on, c.ends_on) for c in contracts)),
        day,
    )
    return schemas.CustomerLicense(
        **{name: row[name] for name in PUBLIC_TERMS},
        id=row["id"],
        coverage=coverage,
        status=coverage.status,
        timeline=timeline_of(purchased_on, warranty_ends, contracts),
        bound_at=row["bound_at"],
        bound_by=row["bound_by"] if row["account_id"] is not None else None,
        organization_id=row["organization_id"],
        file_url=license_file_url(settings, row["id"]),
    )


async def my_licenses(
    connection: asyncpg.Connection, settings: Settings, user: Principal, license_id: UUID | None = None
) -> list[schemas.CustomerLicense]:
    """The caller's usable, non-void licenses by the time they were bound (or the one named).

    `connection` is a driver connection (`shared.db.read_only`, or a session's through
    `shared.driver_sql.driver_connection`)."""
    if license_id is None:
        rows = await ALL_OF_MINE.fetch(connection, user_id=user.user_id)
    else:
        rows = await ONE_OF_MINE.fetch(connection, user_id=user.user_id, license_id=license_id)
    views: list[schemas.CustomerLicense] = []
    day = today()  # one day for the whole list (and one clock read)
    index = 0
    while index < len(rows):
        first, contracts = rows[index], []
        while index < len(rows) and rows[index]["id"] == first["id"]:
            row = rows[index]
            if row["contract_id"] is not None:
                contracts.append(
                    ContractRow(row["contract_id"], row["contract_starts_on"], row["contract_ends_on"])
                )
            index += 1
        views.append(_view(settings, day, first, contracts))
    return views


async def my_license(
    connection: asyncpg.Connection, settings: Settings, user: Principal, license_id: UUID
) -> schemas.CustomerLicense:
    found = await my_licenses(connection, settings, user, license_id)
    if not found:  # someone else's license answers exactly like a missing one
        raise Problem(NOT_FOUND, detail=NO_LICENSE_OF_YOURS())
    return found[0]
