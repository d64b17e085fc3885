"""Routes of the support desk (staff only): queue, case workspace, customer lookup, staff list."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.cases import desk, desk_views, texts
from services.cases.canned import TOPICS, canned_answer
from services.cases.endpoints import RulesDep
from services.cases.presenters import (
    case_workspace,
    customer_file,
    customer_summary,
    queue_page,
    staff_public,
)
from services.cases.problems import STAFF_ONLY
from services.cases.schemas import (
    CannedAnswer,
    CaseWorkspace,
    CustomerFile,
    CustomerSummary,
    QueuePage,
    StaffPublic,
)
from services.cases.service import people_by_id
from services.cases.sla import SlaState
from shared import clock
from shared.auth import CurrentUser
from shared.events.cases import CaseCategory, CaseSeverity, CaseStatus
from shared.http.deps import SessionDep
from shared.http.problems import NOT_FOUND, Problem, problem_responses
from shared.i18n import Locale

# Every desk route refuses callers without a staff role (403 staff-only).
router = APIRouter(prefix="/desk", tags=["support desk"], responses=problem_responses(STAFF_ONLY))

Search = Annotated[
    str, Query(min_length=2, max_length=200, description="Part of an email, a name or a serial")
]
Product = Annotated[str | None, Query(max_length=64)]


@router.get("/queue", summary="Open cases by SLA due time, with counts per view")
async def queue(
    session: SessionDep,
    user: CurrentUser,
    rules: RulesDep,
    view: desk_views.QueueView = "all",
    status: CaseStatus | None = None,
    category: CaseCategory | None = None,
    severity: CaseSeverity | None = None,
    product: Product = None,
    assignee_id: UUID | None = None,
    sla: SlaState | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> QueuePage:
    now = clock.now()
    filters = desk_views.QueueFilters(status, category, severity, product, assignee_id, sla)
    result = await desk_views.queue(
        session, user, view=view, filters=filters, now=now, policy=rules.policy, limit=limit, offset=offset
    )
    return queue_page(result, now, rules)


@router.get("/cases/{case_id}", summary="A case as staff work on it: notes, license, history, other cases")
async def case_workspace_view(
    session: SessionDep, user: CurrentUser, rules: RulesDep, case_id: UUID
) -> CaseWorkspace:
    space = await desk_views.workspace(session, user, case_id)
    return case_workspace(space, clock.now(), clock.today(), rules)


@router.get("/staff", summary="Staff who can be assigned cases")
async def staff(session: SessionDep, user: CurrentUser) -> list[StaffPublic]:
    members = await desk.staff_directory(session, user)
    names = await people_by_id(session, {m.user_id for m in members})
    return [staff_public(m, names) for m in members]


@router.get("/canned-answers", summary="Answers for out-of-scope questions, in the customer's language")
async def canned_answers(user: CurrentUser, locale: Locale = "en") -> list[CannedAnswer]:
    desk.require_staff(user)
    return [CannedAnswer(topic=topic, body=canned_answer(topic, locale)) for topic in TOPICS]


@router.get("/customers", summary="Find customers by email, name or license serial")
async def find_customers(session: SessionDep, user: CurrentUser, q: Search) -> list[CustomerSummary]:
    found = await desk_views.find_customers(session, user, q)
    return [customer_summary(c, clock.today()) for c in found]


@router.get("/customers/{user_id}", summary="A customer's licenses, coverage and cases")
async def customer(session: SessionDep, user: CurrentUser, rules: RulesDep, user_id: UUID) -> CustomerFile:
    found = await desk_views.customer_file(session, user, user_id)
    if found.person is None and not found.licenses and not found.cases:
        raise Problem(NOT_FOUND, detail=texts.CUSTOMER_UNKNOWN())
    return customer_file(found, clock.now(), clock.today(), rules)
