"""Routes on a case, for its customer and for staff: thin, each calls one use case."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from services.cases import desk, service
from services.cases.access import staff_sees
from services.cases.config import Settings
from services.cases.limits import posting_limit
from services.cases.presenters import case_detail, case_public, message_public
from services.cases.problems import (
    ASSIGNEE_NOT_ELIGIBLE,
    CASE_CLOSED,
    INTERNAL_NOTE_STAFF_ONLY,
    INVALID_TRANSITION,
    REOPEN_WINDOW_PASSED,
    STAFF_ONLY,
    STATUS_CHANGE_NOT_ALLOWED,
)
from services.cases.schemas import (
    AssigneeChange,
    CaseCreate,
    CaseDetail,
    CasePublic,
    MessageCreate,
    MessagePublic,
    SeverityChange,
    StatusChange,
)
from services.cases.workflow import CaseRules
from shared import clock
from shared.auth import CurrentUser
from shared.events.cases import CaseCategory, CaseStatus
from shared.http.deps import SessionDep, from_app_state
from shared.http.problems import problem_responses

router = APIRouter(prefix="/cases", tags=["cases"])


RulesDep = Annotated[CaseRules, from_app_state("rules")]  # built once from the settings by create_app
SettingsDep = Annotated[Settings, from_app_state("settings")]


@router.post(
    "",
    status_code=201,
    summary="Open a case on one of your licenses (coverage must be active)",
    dependencies=[Depends(posting_limit("case"))],
)
async def open_case(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    rules: RulesDep,
    body: CaseCreate,
) -> CasePublic:
    case = await service.open_case(
        session,
        user.user_id,
        body,
        today=clock.today(),
        rules=rules,
        number_prefix=settings.case_number_prefix,
    )
    return case_public(case, clock.now(), rules)


@router.get("", summary="Your cases; staff see others' too (security issues: security role only)")
async def list_cases(
    session: SessionDep,
    user: CurrentUser,
    rules: RulesDep,
    status: CaseStatus | None = None,
    category: CaseCategory | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[CasePublic]:
    cases = await service.list_cases(
        session, user, status=status, category=category, limit=limit, offset=offset
    )
    now = clock.now()
    return [case_public(case, now, rules) for case in cases]


@router.get("/{case_id}", summary="A case with its conversation (internal notes for staff only)")
async def get_case(session: SessionDep, user: CurrentUser, rules: RulesDep, case_id: UUID) -> CaseDetail:
    return case_detail(await service.get_case(session, user, case_id), clock.now(), rules)


@router.post(
    "/{case_id}/messages",
    status_code=201,
    summary="Reply; staff may add internal notes and set the status the reply leaves the case in",
    dependencies=[Depends(posting_limit("reply"))],
    responses=problem_responses(
        INTERNAL_NOTE_STAFF_ONLY, CASE_CLOSED, REOPEN_WINDOW_PASSED, INVALID_TRANSITION
    ),
)
async def add_message(
    session: SessionDep, user: CurrentUser, rules: RulesDep, case_id: UUID, body: MessageCreate
) -> MessagePublic:
    case = await service.visible_case(session, user, case_id)
    if staff_sees(user, case.category):
        message = await desk.add_staff_message(
            session, user, case_id, body.body, internal=body.internal, then_status=body.status, rules=rules
        )
    else:
        service.refuse_customer_note(body.internal)
        message = await service.add_customer_message(session, user.user_id, case_id, body.body, rules=rules)
    names = await service.people_by_id(session, {user.user_id})
    return message_public(message, names)


@router.post(
    "/{case_id}/status",
    summary="Change the status (customers: close, or reopen a resolved case within the reopen window)",
    responses=problem_responses(STATUS_CHANGE_NOT_ALLOWED, INVALID_TRANSITION, REOPEN_WINDOW_PASSED),
)
async def change_status(
    session: SessionDep, user: CurrentUser, rules: RulesDep, case_id: UUID, body: StatusChange
) -> CasePublic:
    case = await service.visible_case(session, user, case_id)
    if staff_sees(user, case.category):
        case = await desk.staff_status_change(session, user, case_id, body.status, rules=rules)
    else:
        case = await service.customer_status_change(session, user.user_id, case_id, body.status, rules=rules)
    return case_public(case, clock.now(), rules)


@router.post(
    "/{case_id}/assignee",
    summary="Staff: assign the case (to yourself, someone, or nobody)",
    responses=problem_responses(STAFF_ONLY, ASSIGNEE_NOT_ELIGIBLE),
)
async def assign(
    session: SessionDep, user: CurrentUser, rules: RulesDep, case_id: UUID, body: AssigneeChange
) -> CasePublic:
    case = await desk.assign(session, user, case_id, body.assignee_id, rules=rules)
    return case_public(case, clock.now(), rules)


@router.post(
    "/{case_id}/severity",
    summary="Staff: change the severity (the SLA due times follow)",
    responses=problem_responses(STAFF_ONLY),
)
async def change_severity(
    session: SessionDep, user: CurrentUser, rules: RulesDep, case_id: UUID, body: SeverityChange
) -> CasePublic:
    case = await desk.change_severity(session, user, case_id, body.severity, rules=rules)
    return case_public(case, clock.now(), rules)
