"""Who sees which case. Security issues are for the security role only (and their reporter)."""

from sqlalchemy import ColumnElement, or_, true
from sqlmodel import col

from services.cases.models import Case
from shared.auth import Principal
from shared.events.cases import CaseCategory

SECURITY_ISSUE: CaseCategory = "security_issue"
GENERAL_STAFF = ("support", "admin")


def staff_sees(user: Principal, category: CaseCategory) -> bool:
    """Whether `user` sees a case of `category` as staff (not as its owner)."""
    if user.has("security"):
        return True
    return user.has(*GENERAL_STAFF) and category != SECURITY_ISSUE


def may_see(user: Principal, case: Case) -> bool:
    return case.account_id == user.user_id or staff_sees(user, case.category)


def visible_cases(user: Principal) -> ColumnElement[bool]:
    """The same rule as `may_see`, as a WHERE clause for lists."""
    own = col(Case.account_id) == user.user_id
    if user.has("security"):
        return true()
    if user.has(*GENERAL_STAFF):
        return or_(own, col(Case.category) != SECURITY_ISSUE)
    return own
