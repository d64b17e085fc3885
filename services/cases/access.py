"""Who sees which case. Security issues are for the security role only (and their reporter).

A case opened on an organization's license belongs to the organization: its current members
read and reply to it, unless the reporter marked it private; a security issue stays with its
reporter and the security role. A member who leaves loses the organization's cases, their own
included (the cases stay with the organization). Membership comes from this service's copy of
identity's events (shared.memberships).
"""

from uuid import UUID

from sqlalchemy import ColumnElement, and_, or_, true
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.models import MEMBERSHIPS, Case
from shared.auth import Principal
from shared.events.cases import CaseCategory
from shared.memberships import organization_of

SECURITY_ISSUE: CaseCategory = "security_issue"
GENERAL_STAFF = ("support", "admin")


async def organization_of_account(session: AsyncSession, account_id: UUID) -> UUID | None:
    return await organization_of(session, MEMBERSHIPS, account_id)


def staff_sees(user: Principal, category: CaseCategory) -> bool:
    """Whether `user` sees a case of `category` as staff (not as its owner)."""
    if user.has("security"):
        return True
    return user.has(*GENERAL_STAFF) and category != SECURITY_ISSUE


def customer_sees(account_id: UUID, organization_id: UUID | None, case: Case) -> bool:
    """Whether a customer (not as staff) sees the case: their own personal case, or a case of
    their organization that is neither private nor a security issue, or one they reported."""
    if case.organization_id is None:
        return case.account_id == account_id
    if case.organization_id != organization_id:
        return False
    shared = not case.private and case.category != SECURITY_ISSUE
    return shared or case.account_id == account_id


def may_see(user: Principal, organization_id: UUID | None, case: Case) -> bool:
    return customer_sees(user.user_id, organization_id, case) or staff_sees(user, case.category)


def customer_cases(account_id: UUID, organization_id: UUID | None) -> ColumnElement[bool]:
    """`customer_sees` as a WHERE clause."""
    personal = and_(col(Case.organization_id).is_(None), col(Case.account_id) == account_id)
    if organization_id is None:
        return personal
    of_organization = and_(
        col(Case.organization_id) == organization_id,
        or_(
            col(Case.account_id) == account_id,
            and_(col(Case.private).is_(False), col(Case.category) != SECURITY_ISSUE),
        ),
    )
    return or_(personal, of_organization)


def visible_cases(user: Principal, organization_id: UUID | None = None) -> ColumnElement[bool]:
    """The same rule as `may_see`, as a WHERE clause for lists (staff views pass no
    organization: the desk shows cases by staff rights)."""
    own = customer_cases(user.user_id, organization_id)
    if user.has("security"):
        return true()
    if user.has(*GENERAL_STAFF):
        return or_(own, col(Case.category) != SECURITY_ISSUE)
    return own
