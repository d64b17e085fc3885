"""Customer-facing license operations: preview, bind, my licenses and the signed license file."""

from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol
from uuid import UUID

import asyncpg
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import schemas
from services.licensing.config import Settings
from services.licensing.license_file import sign
from services.licensing.models import Contract, License, VerifiedAccount
from services.licensing.problems import LICENSE_ALREADY_BOUND, NOT_FOUND
from services.licensing.service.license_lookup import bind, look_up
from services.licensing.service.organization_names import organization_name
from services.licensing.service.ownership import caller_organization, usable_by
from services.licensing.service.repository import (
    customer_coverage,
    today,
    utcnow,
)
from services.licensing.signing_keys import key_store
from services.licensing.texts import (
    LICENSE_BOUND_ELSEWHERE,
    NO_LICENSE_OF_YOURS,
    ORGANIZATION_NAME_PENDING,
)
from shared.auth import Principal
from shared.entitlements import Coverage
from shared.http.problems import UNAVAILABLE, Problem


def coverage_view(coverage: Coverage, day: date | None = None) -> schemas.CoverageView:
    """As of `day` (default: today); a list of views passes the one day it read once."""
    day = today() if day is None else day
    return schemas.CoverageView(
        start=coverage.start,
        end=coverage.end,
        status=coverage.status(day),
        lapsed_since=coverage.lapsed_since(day),
    )


def license_file_url(settings: Settings, license_id: UUID) -> str:
    return f"{settings.public_url.rstrip('/')}/api/licensing/me/licenses/{license_id}/file"


class ContractDays(Protocol):
    """What a timeline needs of a contract: an ORM row or a column tuple of one."""

    @property
    def id(self) -> UUID: ...
    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date: ...


def timeline_of(
    purchased_on: date, warranty_ends: date, contracts: Iterable[ContractDays]
) -> list[schemas.TimelineEntry]:
    """The warranty, then each bound contract, as the customer's timeline shows them."""
    timeline = [
        schemas.TimelineEntry(kind=schemas.TimelineKind.WARRANTY, start=purchased_on, end=warranty_ends)
    ]
    timeline += [
        schemas.TimelineEntry(
            kind=schemas.TimelineKind.CONTRACT, contract_id=c.id, start=c.starts_on, end=c.ends_on
        )
        for c in contracts
    ]
    return timeline


def customer_view(
    settings: Settings,
    license: License,
    contracts: list[Contract],
    coverage: Coverage,
    names: dict[UUID, str] | None = None,
) -> schemas.CustomerLicense:
    view = coverage_view(coverage)
    timeline = timeline_of(license.purchased_on, license.warranty_ends, contracts)
    return schemas.CustomerLicense(
        **schemas.public_terms(license),
        id=license.id,
        coverage=view,
        status=view.status,
        timeline=timeline,
        bound_at=license.bound_at,
        bound_by=(names or {}).get(license.account_id) if license.account_id else None,
        organization_id=license.organization_id,
        file_url=license_file_url(settings, license.id),
    )


async def preview_license(
    connection: asyncpg.Connection,
    settings: Settings,
    user: Principal,
    address: str,
    lookup: schemas.LookupRequest,
) -> schemas.LicensePreview:
    found = await look_up(connection, settings, user, address, lookup)
    return schemas.LicensePreview(
        **schemas.public_terms(found.license),
        coverage=coverage_view(found.coverage),
        already_bound_to_you=usable_by(found.license, user.user_id, found.organization_id),
    )


# A bind that lost a race reads the facts again; should the license be unbound again meanwhile
# (a back-office move) it tries again, this many times at most.
BIND_ATTEMPTS = 3


async def bind_license(
    connection: asyncpg.Connection,
    settings: Settings,
    user: Principal,
    address: str,
    lookup: schemas.LookupRequest,
) -> tuple[schemas.CustomerLicense, bool]:
    """Bind a license to the caller, owned by the caller's organization if they belong to one.
    Returns (license, created); binding twice (or a colleague binding it again) is idempotent.

    The write changes only an unbound license, so of concurrent binds of one serial exactly one
    writes; the others read the facts again and see its owner (one license, one owner: 409, or
    200 for the owner's colleagues). Binding changes who holds the license, not its coverage:
    computed once, before.
    """
    for _ in range(BIND_ATTEMPTS):
        found = await look_up(connection, settings, user, address, lookup)
        license = found.license
        if license.account_id is not None:
            if not usable_by(license, user.user_id, found.organization_id):
                raise Problem(LICENSE_ALREADY_BOUND, detail=LICENSE_BOUND_ELSEWHERE())
            names = {license.account_id: found.bound_by} if found.bound_by is not None else {}
            return customer_view(settings, license, found.contracts, found.coverage, names), False
        if await bind(connection, found, user, utcnow()):
            names = {user.user_id: found.caller_name}
            return customer_view(settings, license, found.contracts, found.coverage, names), True
    raise Problem(LICENSE_ALREADY_BOUND, detail=LICENSE_BOUND_ELSEWHERE())


async def _owned_license(session: AsyncSession, user: Principal, license_id: UUID) -> License:
    license = await session.get(License, license_id)
    # Someone else's license answers exactly like a missing one.
    if (
        license is None
        or license.voided_at is not None
        or not usable_by(license, user.user_id, await caller_organization(session, user))
    ):
        raise Problem(NOT_FOUND, detail=NO_LICENSE_OF_YOURS())
    return license


async def license_file(
    session: AsyncSession, settings: Settings, user: Principal, license_id: UUID
) -> tuple[str, dict[str, Any]]:
    """The signed `<serial>.lic` document: (file name, JSON document)."""
    license = await _owned_license(session, user, license_id)
    coverage, _ = await customer_coverage(session, license)
    key, private_key = await key_store(settings.secret_key).signing_key(session, utcnow())
    kid = key.kid
    payload = {
        "serial": license.serial,
        "product": license.product,
        "edition": license.edition,
        "seats": license.seats,
        "licensee": await licensee(session, license, user),
        "coverage_end": coverage.end.isoformat(),
        "issued_at": utcnow().isoformat(timespec="seconds"),
        "key_id": kid,
    }
    return f"{license.serial}.lic", sign(payload, private_key)


async def licensee(session: AsyncSession, license: License, user: Principal) -> dict[str, str]:
    """Who the file licenses: the organization that owns the license (whichever member downloads
    it), else the account it is bound to, which is the caller."""
    if license.organization_id is not None:
        name = await organization_name(session, license.organization_id)
        if name is None:
            raise Problem(UNAVAILABLE, detail=ORGANIZATION_NAME_PENDING())
        return {"organization_id": str(license.organization_id), "name": name}
    account = await session.get(VerifiedAccount, user.user_id)
    return {
        "account_id": str(user.user_id),
        "name": account.name if account else "",
        "email": account.email if account else "",
    }
