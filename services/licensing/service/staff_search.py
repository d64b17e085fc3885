"""Staff-facing reading: the license search with contracts and holders, and the audit listing."""

from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import schemas
from services.licensing.models import AuditEntry, Contract, License, VerifiedAccount
from services.licensing.service.organization_names import ORGANIZATION_NAMES, organization_names
from services.licensing.service.repository import ONE_DAY, all_contracts_of
from shared import clock


async def admin_views(session: AsyncSession, licenses: list[License]) -> list[schemas.LicenseAdminView]:
    ids = [license.id for license in licenses]
    contracts = await all_contracts_of(session, ids)
    accounts = {license.account_id for license in licenses if license.account_id is not None}
    emails: dict[UUID, str] = {}
    if accounts:
        rows = await session.exec(
            select(VerifiedAccount).where(col(VerifiedAccount.account_id).in_(accounts))
        )
        emails = {row.account_id: row.email for row in rows.all()}
    names = await organization_names(
        session, {license.organization_id for license in licenses if license.organization_id is not None}
    )
    return [
        schemas.LicenseAdminView(
            **license.model_dump(exclude={"registration_hash"}),
            account_email=emails.get(license.account_id) if license.account_id else None,
            organization_name=names.get(license.organization_id) if license.organization_id else None,
            contracts=[schemas.ContractAdminView(**c.model_dump()) for c in contracts[license.id]],
        )
        for license in licenses
    ]


async def search_licenses(
    session: AsyncSession,
    q: str | None,
    limit: int,
    offset: int,
    narrow: schemas.LicenseFilter | None = None,
) -> list[schemas.LicenseAdminView]:
    """Back-office search: serial (any spelling), product, customer ref, account id, email or a
    contract's id; narrowed by product and by state (unbound, bound, void)."""
    query = select(License)
    narrow = narrow or schemas.LicenseFilter()
    state = narrow.state
    if narrow.product:
        query = query.where(col(License.product) == narrow.product.upper())
    if narrow.organization and narrow.organization.strip():
        query = query.where(_owned_by_organization(narrow.organization.strip()))
    if state is schemas.LicenseState.VOID:
        query = query.where(col(License.voided_at).is_not(None))
    elif state is not None:
        bound = (
            col(License.account_id).is_not(None)
            if state is schemas.LicenseState.BOUND
            else col(License.account_id).is_(None)
        )
        query = query.where(col(License.voided_at).is_(None), bound)
    if q and q.strip():
        term = q.strip()
        compact = "".join(ch for ch in term.upper() if ch.isalnum())
        conditions = [
            func.replace(License.serial, "-", "").contains(compact),
            col(License.product) == term.upper(),
            col(License.customer_ref) == term,
        ]
        try:
            as_id = UUID(term)
            conditions.append(col(License.account_id) == as_id)
            conditions.append(col(License.id).in_(select(Contract.license_id).where(Contract.id == as_id)))
        except ValueError:
            accounts = select(VerifiedAccount.account_id).where(
                func.lower(VerifiedAccount.email) == term.lower()
            )
            conditions.append(col(License.account_id).in_(accounts))
        query = query.where(or_(*conditions))
    query = query.order_by(col(License.issued_at).desc(), col(License.serial)).limit(limit).offset(offset)
    return await admin_views(session, list((await session.exec(query)).all()))


def _owned_by_organization(organization: str) -> Any:
    """An organization's id, or part of its name (any case)."""
    try:
        return col(License.organization_id) == UUID(organization)
    except ValueError:
        named = select(ORGANIZATION_NAMES.c.organization_id).where(
            ORGANIZATION_NAMES.c.name.icontains(organization, autoescape=True)
        )
        return col(License.organization_id).in_(named)


async def list_audit(
    session: AsyncSession,
    target: str | None,
    limit: int,
    offset: int,
    filters: schemas.AuditFilter | None = None,
) -> list[schemas.AuditView]:
    query = select(AuditEntry)
    if target:
        query = query.where(AuditEntry.target == target)
    if filters is not None:
        query = query.where(*_audit_conditions(filters))
    query = query.order_by(col(AuditEntry.at).desc()).limit(limit).offset(offset)
    return [schemas.AuditView.of(row) for row in (await session.exec(query)).all()]


def _start_of(day: date) -> datetime:
    """Midnight of a business day: audit dates are read as the back office's calendar days."""
    return datetime.combine(day, time.min, tzinfo=clock.business_timezone())


def _audit_conditions(filters: schemas.AuditFilter) -> list[Any]:
    """Who (email or account id), what (action, or its kind: `license`, `contract`), when."""
    conditions: list[Any] = []
    if filters.action:
        action = filters.action.strip().lower()
        column = col(AuditEntry.action)
        conditions.append(column == action if "." in action else column.startswith(f"{action}."))
    if filters.actor:
        who = filters.actor.strip()
        try:
            conditions.append(col(AuditEntry.actor_id) == UUID(who))
        except ValueError:
            conditions.append(func.lower(AuditEntry.actor_email) == who.lower())
    if filters.since:
        conditions.append(col(AuditEntry.at) >= _start_of(filters.since))
    if filters.until:
        conditions.append(col(AuditEntry.at) < _start_of(filters.until + ONE_DAY))
    return conditions
