"""Back-office use cases beside issuance: the back-pay preview, restoring what was voided, and
checking an import file without importing it. They flush, never commit (like service.py).
"""

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import schemas
from services.licensing.config import Settings
from services.licensing.csv_import import ImportRejected, parse_import
from services.licensing.models import Contract, License
from services.licensing.problems import COVERAGE_OVERLAP, LICENSE_VOID, NOT_FOUND, NOT_VOID
from services.licensing.service import (
    SOURCE,
    admin_license,
    admin_views,
    audit,
    customer_coverage,
    issuance_coverage,
)
from shared.auth import Principal
from shared.entitlements import Period, check_new_contract
from shared.events import LicenseRestored
from shared.http.problems import Problem
from shared.outbox import add_event

ONE_DAY = timedelta(days=1)


async def contract_terms(
    session: AsyncSession, settings: Settings, serial: str, starts_on: date | None, ends_on: date | None
) -> schemas.ContractTerms:
    """What issuing a contract with these dates would meet, by the same rule issuance applies:
    the required start date, and the lapsed gap (or the overlap) the dates would leave."""
    license = await admin_license(session, settings, serial)
    coverage = await issuance_coverage(session, license)
    required = coverage.end + ONE_DAY
    terms = schemas.ContractTerms(
        serial=license.serial,
        license_void=license.voided_at is not None,
        coverage_start=coverage.start,
        coverage_end=coverage.end,
        required_start=required,
        starts_on=starts_on,
        ends_on=ends_on,
        fits=starts_on is None or starts_on == required,
    )
    if starts_on is None:
        return terms
    check = check_new_contract(coverage, Period(starts_on, max(starts_on, ends_on or starts_on)))
    terms.fits = check.fits
    if check.gap is not None:
        terms.gap_start, terms.gap_end = check.gap.start, check.gap.end
        terms.gap_days = (check.gap.end - check.gap.start).days + 1
    if check.overlap is not None:
        terms.overlap_start, terms.overlap_end = check.overlap.start, check.overlap.end
    return terms


def _state(license: License) -> dict[str, Any]:
    return {"void": license.voided_at is not None, "account_id": _str(license.account_id)}


def _str(value: object | None) -> str | None:
    return None if value is None else str(value)


async def _restored_event(
    session: AsyncSession, license: License, contract_id: UUID | None
) -> LicenseRestored:
    coverage, _ = await customer_coverage(session, license)
    return LicenseRestored(
        license_id=license.id,
        contract_id=contract_id,
        account_id=license.account_id,
        serial=license.serial,
        product=license.product,
        coverage_start=coverage.start,
        coverage_end=coverage.end,
    )


async def restore_license(
    session: AsyncSession, settings: Settings, actor: Principal, serial: str, reason: str
) -> schemas.LicenseAdminView:
    """Undo a void: the license counts again for its account (if it had one) and its contracts."""
    license = await admin_license(session, settings, serial, lock=True)
    if license.voided_at is None:
        raise Problem(NOT_VOID, detail="Only a void license can be restored")
    before = _state(license) | {"void_reason": license.void_reason}
    license.voided_at, license.void_reason = None, None
    session.add(license)
    await audit(
        session, actor, "license.restore", license.serial, reason, before=before, after=_state(license)
    )
    await session.flush()
    await add_event(session, await _restored_event(session, license, None), source=SOURCE)
    return (await admin_views(session, [license]))[0]


async def restore_contract(
    session: AsyncSession, actor: Principal, contract_id: UUID, reason: str
) -> schemas.LicenseAdminView:
    """Undo a contract's void, unless other contracts have been sold for its days since."""
    found = (
        await session.exec(
            select(Contract, License)
            .join(License, col(License.id) == Contract.license_id)
            .where(Contract.id == contract_id)
            .with_for_update()
        )
    ).first()
    if found is None:
        raise Problem(NOT_FOUND, detail="No contract has this id")
    contract, license = found
    if contract.voided_at is None:
        raise Problem(NOT_VOID, detail="Only a void contract can be restored")
    if license.voided_at is not None:
        raise Problem(LICENSE_VOID, detail=f"Restore the license {license.serial} first")
    others = (
        await session.exec(
            select(Contract).where(
                Contract.license_id == license.id,
                col(Contract.voided_at).is_(None),
                col(Contract.starts_on) <= contract.ends_on,
                col(Contract.ends_on) >= contract.starts_on,
            )
        )
    ).all()
    if others:
        clash = others[0]
        raise Problem(
            COVERAGE_OVERLAP,
            detail=(
                f"The contract {clash.starts_on} to {clash.ends_on} was sold for these days since; "
                "void it first if this one should count instead."
            ),
        )
    before = {"void": True, "void_reason": contract.void_reason}
    contract.voided_at, contract.void_reason = None, None
    session.add(contract)
    await audit(
        session,
        actor,
        "contract.restore",
        license.serial,
        reason,
        contract_id=str(contract.id),
        before=before,
        after={"void": False},
    )
    await session.flush()
    await add_event(session, await _restored_event(session, license, contract.id), source=SOURCE)
    return (await admin_views(session, [license]))[0]


def check_import(settings: Settings, data: bytes) -> schemas.ImportCheck:
    """A dry run: every bad row with its line, and nothing written."""
    try:
        rows = parse_import(data, set(settings.products))
    except ImportRejected as rejected:
        lines = {error["line"] for error in rejected.errors}
        return schemas.ImportCheck(
            valid=False,
            rows=0,
            bad_lines=len(lines),
            errors=[schemas.ImportProblem(**error) for error in rejected.errors],
        )
    return schemas.ImportCheck(valid=True, rows=len(rows), bad_lines=0, errors=[])
