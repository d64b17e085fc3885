"""Use cases of the cases service, the customer's side and reading. Functions only flush: the
caller owns the transaction.

`open_case` and `add_customer_message` take plain arguments (an account id, not a request), so
any entry point — the API, an inbound-mail gateway — opens cases and adds messages the same way.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import select, text
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import events, texts
from services.cases.access import customer_sees, may_see, organization_of_account, staff_sees, visible_cases
from services.cases.events import announce
from services.cases.models import Case, CaseMessage, Holding, Person
from services.cases.problems import (
    CASE_CLOSED,
    CASE_NOT_FOUND,
    INTERNAL_NOTE_STAFF_ONLY,
    LICENSE_NOT_FOUND,
    NO_ACTIVE_COVERAGE,
    REOPEN_WINDOW_PASSED,
)
from services.cases.reasons import no_coverage_reason
from services.cases.schemas import CaseCreate
from services.cases.workflow import (
    CaseRules,
    check_customer_move,
    may_reopen,
    move,
    reopened_status,
    set_due_times,
)
from shared import clock, entitlements
from shared.auth import Principal
from shared.events.cases import CaseCategory, CaseStatus
from shared.holdings import held_by
from shared.http.problems import Problem

# --- opening ----------------------------------------------------------------------------------


async def _next_number(session: AsyncSession, prefix: str, year: int) -> str:
    sequence = (await session.execute(text("SELECT nextval('case_number_seq')"))).scalar_one()
    return f"{prefix}-{year}-{sequence:06d}"


async def open_case(
    session: AsyncSession,
    account_id: UUID,
    request: CaseCreate,
    *,
    today: date,
    rules: CaseRules,
    number_prefix: str = "C",
) -> Case:
    """Open a case on one of the account's licenses, if its coverage is active today."""
    holding = await session.get(Holding, request.license_id)
    organization_id = await organization_of_account(session, account_id)
    if holding is None or holding.void or not held_by(holding, account_id, organization_id):
        raise Problem(LICENSE_NOT_FOUND, detail=texts.PICK_BOUND_LICENSE())
    coverage = entitlements.Period(holding.coverage_start, holding.coverage_end)
    if not entitlements.may_open_case(
        [entitlements.Holding(holding.product, coverage)], holding.product, today
    ):
        raise Problem(
            NO_ACTIVE_COVERAGE,
            detail=no_coverage_reason(coverage.start, coverage.end, today),
            extra={"coverage_start": coverage.start.isoformat(), "coverage_end": coverage.end.isoformat()},
        )
    opened_at = clock.now()
    case = Case(
        number=await _next_number(session, number_prefix, today.year),  # the business calendar's year
        account_id=account_id,
        # The case belongs to whoever owns the license: the organization, or the account.
        organization_id=holding.organization_id,
        private=request.private,
        license_id=holding.license_id,
        product=holding.product,
        category=request.category,
        severity=request.severity,
        product_version=request.product_version,
        environment=request.environment.model_dump(exclude_none=True),
        subject=request.subject,
        description=request.description,
        status="new",
        opened_at=opened_at,
        updated_at=opened_at,
    )
    set_due_times(case, rules.policy)
    session.add(case)
    await session.flush()
    await announce(session, events.case_opened(case))
    return case


# --- reading ----------------------------------------------------------------------------------


async def list_cases(
    session: AsyncSession,
    user: Principal,
    *,
    status: CaseStatus | None = None,
    category: CaseCategory | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Case]:
    """Own cases and the organization's; staff also see others' (security issues only with the
    security role)."""
    query = select(Case).where(visible_cases(user, await organization_of_account(session, user.user_id)))
    if status is not None:
        query = query.where(col(Case.status) == status)
    if category is not None:
        query = query.where(col(Case.category) == category)
    query = query.order_by(col(Case.opened_at).desc()).limit(limit).offset(offset)
    return list((await session.execute(query)).scalars())


async def visible_case(session: AsyncSession, user: Principal, case_id: UUID, *, lock: bool = False) -> Case:
    """The case, if the caller may see it; otherwise the same 404 as a missing one."""
    case = await session.get(Case, case_id, with_for_update=lock)
    if case is None or not may_see(user, await organization_of_account(session, user.user_id), case):
        raise Problem(CASE_NOT_FOUND, detail=texts.CHECK_CASE_ID())
    return case


@dataclass(frozen=True)
class CaseView:
    case: Case
    customer: Person | None
    messages: list[CaseMessage]
    names: dict[UUID, Person]


async def people_by_id(session: AsyncSession, ids: set[UUID]) -> dict[UUID, Person]:
    if not ids:
        return {}
    found = await session.execute(select(Person).where(col(Person.user_id).in_(ids)))
    return {person.user_id: person for person in found.scalars()}


async def get_case(session: AsyncSession, user: Principal, case_id: UUID) -> CaseView:
    case = await visible_case(session, user, case_id)
    query = select(CaseMessage).where(col(CaseMessage.case_id) == case.id)
    if not staff_sees(user, case.category):
        query = query.where(col(CaseMessage.internal).is_(False))
    messages = list((await session.execute(query.order_by(col(CaseMessage.created_at)))).scalars())
    ids = {m.author_id for m in messages} | {case.account_id}
    if case.assignee_id is not None:
        ids.add(case.assignee_id)
    names = await people_by_id(session, ids)
    return CaseView(case, names.get(case.account_id), messages, names)


# --- the customer's side ------------------------------------------------------------------------


async def announce_reply(session: AsyncSession, case: Case, message: CaseMessage) -> None:
    await announce(session, events.case_replied(case, message))


async def add_customer_message(
    session: AsyncSession, account_id: UUID, case_id: UUID, body: str, *, rules: CaseRules
) -> CaseMessage:
    """The customer writes on their own case or their organization's: it goes back to support (a
    resolved case reopens while the reopen window lasts; a closed one takes no more messages)."""
    case = await session.get(Case, case_id, with_for_update=True)
    if case is None or not customer_sees(
        account_id, await organization_of_account(session, account_id), case
    ):
        raise Problem(CASE_NOT_FOUND, detail=texts.CHECK_CASE_ID())
    if case.status == "closed":
        raise Problem(CASE_CLOSED, detail=texts.CLOSED_OPEN_NEW())
    now = clock.now()
    if case.status == "resolved" and not may_reopen(case, now, rules):
        raise Problem(REOPEN_WINDOW_PASSED, detail=texts.RESOLVED_TOO_LONG_AGO())
    message = CaseMessage(case_id=case.id, author_id=account_id, by_staff=False, body=body, created_at=now)
    session.add(message)
    if case.status in ("waiting_on_customer", "resolved"):
        await move(
            session,
            case,
            reopened_status(case),
            actor_id=account_id,
            reason="reply",
            now=now,
            policy=rules.policy,
        )
    case.updated_at = now
    await session.flush()
    await announce_reply(session, case, message)
    return message


async def customer_status_change(
    session: AsyncSession, account_id: UUID, case_id: UUID, status: CaseStatus, *, rules: CaseRules
) -> Case:
    """A customer closes their case (or their organization's), or reopens it once resolved
    (within the window)."""
    case = await session.get(Case, case_id, with_for_update=True)
    if case is None or not customer_sees(
        account_id, await organization_of_account(session, account_id), case
    ):
        raise Problem(CASE_NOT_FOUND, detail=texts.CHECK_CASE_ID())
    if case.status == status:
        return case
    now = clock.now()
    check_customer_move(case, status, now, rules)
    target: CaseStatus = "closed" if status == "closed" else reopened_status(case)
    await move(session, case, target, actor_id=account_id, reason="customer", now=now, policy=rules.policy)
    await session.flush()
    return case


def refuse_customer_note(internal: bool) -> None:
    if internal:
        raise Problem(INTERNAL_NOTE_STAFF_ONLY, detail=texts.SEND_AS_REPLY())
