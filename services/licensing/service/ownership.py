"""Who owns a license and who may use it: the account that bound it, or, when that account
belonged to an organization, the organization, whose current members all use it.

Membership comes from licensing's copy of identity's events (shared.memberships), so a member
who leaves loses the organization's licenses as soon as the removal is applied here.
"""

from uuid import UUID

from sqlalchemy import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing.events import binding_moved, publish
from services.licensing.models import MEMBERSHIPS, Base, License
from services.licensing.service.repository import customer_coverage
from shared.auth import Principal
from shared.holdings import owned_by
from shared.memberships import organization_of

LICENSES = Base.metadata.tables["license"]


async def caller_organization(session: AsyncSession, user: Principal) -> UUID | None:
    return await organization_of(session, MEMBERSHIPS, user.user_id)


def usable_by(license: License, account_id: UUID, organization_id: UUID | None) -> bool:
    """The one rule, for one license (`usable_clause` is the same rule for queries)."""
    if license.account_id is None:
        return False
    if license.organization_id is not None:
        return license.organization_id == organization_id
    return license.account_id == account_id


def usable_clause(account_id: UUID, organization_id: UUID | None) -> ColumnElement[bool]:
    return owned_by(LICENSES, account_id, organization_id)


async def bring_licenses(session: AsyncSession, account_id: UUID, organization_id: UUID) -> int:
    """The account's personal licenses become the organization's (the member chose this when
    creating or joining it). Each change is an event, as every change of owner is."""
    licenses = (
        await session.exec(
            select(License)
            .where(
                License.account_id == account_id,
                col(License.organization_id).is_(None),
                col(License.voided_at).is_(None),
            )
            .with_for_update()
        )
    ).all()
    for license in licenses:
        license.organization_id = organization_id
        session.add(license)
        await session.flush()
        coverage, _ = await customer_coverage(session, license)
        await publish(session, binding_moved(license, account_id, coverage))
    return len(licenses)


async def take_back_from_dissolved(session: AsyncSession, account_id: UUID, organization_id: UUID) -> int:
    """The organization was dissolved by its last member: its licenses (contracts follow their
    license) become that member's, whoever bound them. Each change is an event, so downloads,
    cases and the notifier follow; a void license moves too (no one else may restore it to an
    organization that is gone) but announces nothing, as it entitles no one."""
    licenses = (
        await session.exec(
            select(License).where(col(License.organization_id) == organization_id).with_for_update()
        )
    ).all()
    for license in licenses:
        from_account_id = license.account_id or account_id
        license.account_id, license.organization_id = account_id, None
        session.add(license)
        await session.flush()
        if license.voided_at is None:
            coverage, _ = await customer_coverage(session, license)
            await publish(session, binding_moved(license, from_account_id, coverage))
    return len(licenses)
