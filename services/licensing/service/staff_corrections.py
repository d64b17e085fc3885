"""Staff-facing corrections, each audited: void and restore licenses and contracts, move a binding."""

from typing import Any
from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import schemas
from services.licensing.config import Settings
from services.licensing.events import binding_moved, license_restored, license_voided, publish
from services.licensing.models import MEMBERSHIPS, AuditAction, Contract, License, VerifiedAccount
from services.licensing.problems import (
    ALREADY_VOID,
    COVERAGE_OVERLAP,
    LICENSE_VOID,
    MOVE_TARGET_NOT_VERIFIED,
    NOT_BOUND,
    NOT_FOUND,
    NOT_VOID,
)
from services.licensing.service.repository import (
    audit,
    customer_coverage,
    license_by_serial,
    str_or_none,
    utcnow,
)
from services.licensing.service.staff_search import admin_views
from services.licensing.texts import (
    CONTRACT_ALREADY_VOID,
    CONTRACT_NOT_VOID,
    CONTRACT_SOLD_SINCE,
    LICENSE_ALREADY_VOID,
    LICENSE_NOT_VOID,
    MOVE_NEEDS_BINDING,
    MOVE_TARGET_MUST_BE_VERIFIED,
    NO_CONTRACT_WITH_ID,
    RESTORE_LICENSE_FIRST,
    VOID_LICENSE_NOT_MOVED,
)
from shared.auth import Principal
from shared.http.problems import Problem
from shared.memberships import organization_of


async def void_license(
    session: AsyncSession, settings: Settings, actor: Principal, serial: str, reason: str
) -> schemas.LicenseAdminView:
    license = await license_by_serial(session, settings, serial, lock=True)
    if license.voided_at is not None:
        raise Problem(ALREADY_VOID, detail=LICENSE_ALREADY_VOID(voided_on=license.voided_at.date()))
    license.voided_at, license.void_reason = utcnow(), reason
    session.add(license)
    audit(
        session,
        actor,
        AuditAction.LICENSE_VOID,
        license.serial,
        reason,
        account_id=str_or_none(license.account_id),
        before={"void": False},
        after={"void": True},
    )
    await session.flush()
    await publish(session, license_voided(license, None))
    return (await admin_views(session, [license]))[0]


async def void_contract(
    session: AsyncSession, actor: Principal, contract_id: UUID, reason: str
) -> schemas.LicenseAdminView:
    contract = (
        await session.exec(select(Contract).where(Contract.id == contract_id).with_for_update())
    ).first()
    if contract is None:
        raise Problem(NOT_FOUND, detail=NO_CONTRACT_WITH_ID())
    if contract.voided_at is not None:
        raise Problem(ALREADY_VOID, detail=CONTRACT_ALREADY_VOID(voided_on=contract.voided_at.date()))
    license = await session.get(License, contract.license_id)
    assert license is not None
    contract.voided_at, contract.void_reason = utcnow(), reason
    session.add(contract)
    audit(
        session,
        actor,
        AuditAction.CONTRACT_VOID,
        license.serial,
        reason,
        contract_id=str(contract.id),
        before={"void": False},
        after={"void": True},
    )
    await session.flush()
    remaining, _ = await customer_coverage(session, license)
    await publish(session, license_voided(license, remaining))
    return (await admin_views(session, [license]))[0]


async def move_binding(
    session: AsyncSession, settings: Settings, actor: Principal, serial: str, data: schemas.MoveRequest
) -> schemas.LicenseAdminView:
    license = await license_by_serial(session, settings, serial, lock=True)
    if license.voided_at is not None:
        raise Problem(LICENSE_VOID, detail=VOID_LICENSE_NOT_MOVED())
    if license.account_id is None:
        raise Problem(NOT_BOUND, detail=MOVE_NEEDS_BINDING())
    target = await session.get(VerifiedAccount, data.to_account_id)
    if target is None or target.disabled:
        raise Problem(
            MOVE_TARGET_NOT_VERIFIED,
            detail=MOVE_TARGET_MUST_BE_VERIFIED(),
            errors=[{"field": "to_account_id", "message": "unknown or not verified"}],
        )
    from_account = license.account_id
    if from_account == data.to_account_id:
        return (await admin_views(session, [license]))[0]
    # The license belongs to the target's organization, if the target is a member of one.
    from_organization = license.organization_id
    license.organization_id = await organization_of(session, MEMBERSHIPS, data.to_account_id)
    license.account_id, license.bound_at = data.to_account_id, utcnow()
    session.add(license)
    audit(
        session,
        actor,
        AuditAction.LICENSE_MOVE,
        license.serial,
        data.reason,
        from_account_id=str(from_account),
        to_account_id=str(data.to_account_id),
        before={"account_id": str(from_account), "organization_id": str_or_none(from_organization)},
        after={
            "account_id": str(data.to_account_id),
            "organization_id": str_or_none(license.organization_id),
        },
    )
    await session.flush()
    coverage, _ = await customer_coverage(session, license)
    await publish(session, binding_moved(license, from_account, coverage))
    return (await admin_views(session, [license]))[0]


def _state(license: License) -> dict[str, Any]:
    return {"void": license.voided_at is not None, "account_id": str_or_none(license.account_id)}


async def restore_license(
    session: AsyncSession, settings: Settings, actor: Principal, serial: str, reason: str
) -> schemas.LicenseAdminView:
    """Undo a void: the license counts again for its account (if it had one) and its contracts."""
    license = await license_by_serial(session, settings, serial, lock=True)
    if license.voided_at is None:
        raise Problem(NOT_VOID, detail=LICENSE_NOT_VOID())
    before = _state(license) | {"void_reason": license.void_reason}
    license.voided_at, license.void_reason = None, None
    session.add(license)
    audit(
        session,
        actor,
        AuditAction.LICENSE_RESTORE,
        license.serial,
        reason,
        before=before,
        after=_state(license),
    )
    await session.flush()
    coverage, _ = await customer_coverage(session, license)
    await publish(session, license_restored(license, coverage))
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
        raise Problem(NOT_FOUND, detail=NO_CONTRACT_WITH_ID())
    contract, license = found
    if contract.voided_at is None:
        raise Problem(NOT_VOID, detail=CONTRACT_NOT_VOID())
    if license.voided_at is not None:
        raise Problem(LICENSE_VOID, detail=RESTORE_LICENSE_FIRST(serial=license.serial))
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
            detail=CONTRACT_SOLD_SINCE(starts_on=clash.starts_on, ends_on=clash.ends_on),
        )
    before = {"void": True, "void_reason": contract.void_reason}
    contract.voided_at, contract.void_reason = None, None
    session.add(contract)
    audit(
        session,
        actor,
        AuditAction.CONTRACT_RESTORE,
        license.serial,
        reason,
        contract_id=str(contract.id),
        before=before,
        after={"void": False},
    )
    await session.flush()
    coverage, _ = await customer_coverage(session, license)
    await publish(session, license_restored(license, coverage, contract))
    return (await admin_views(session, [license]))[0]
