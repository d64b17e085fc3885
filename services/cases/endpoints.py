"""Routes of the cases service: thin, each calls one use case."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from services.cases import service
from services.cases.access import staff_sees
from services.cases.config import Settings
from services.cases.limits import posting_limit
from services.cases.models import Case, CaseMessage
from services.cases.schemas import (
    CaseCreate,
    CaseDetail,
    CasePublic,
    MessageCreate,
    MessagePublic,
    PersonPublic,
    StatusChange,
)
from shared import clock
from shared.auth import CurrentUser
from shared.events.cases import CaseCategory, CaseStatus
from shared.http.deps import LocaleDep, Page, SessionDep, paging

router = APIRouter(prefix="/cases", tags=["cases"])


def _case(case: Case) -> CasePublic:
    return CasePublic.model_validate(case, from_attributes=True)


def _message(message: CaseMessage, author_name: str | None = None) -> MessagePublic:
    public = MessagePublic.model_validate(message, from_attributes=True)
    return public.model_copy(update={"author_name": author_name})


@router.post(
    "",
    status_code=201,
    summary="Open a case on one of your licenses (coverage must be active)",
    dependencies=[Depends(posting_limit("case"))],
)
async def open_case(
    request: Request, session: SessionDep, user: CurrentUser, locale: LocaleDep, body: CaseCreate
) -> CasePublic:
    settings: Settings = request.app.state.settings
    case = await service.open_case(
        session, user, locale, body, today=clock.today(), number_prefix=settings.case_number_prefix
    )
    return _case(case)


@router.get("", summary="Your cases; staff see others' too (security issues: security role only)")
async def list_cases(
    session: SessionDep,
    page: Annotated[Page, paging()],
    user: CurrentUser,
    status: CaseStatus | None = None,
    category: CaseCategory | None = None,
) -> list[CasePublic]:
    cases = await service.list_cases(
        session, user, status=status, category=category, limit=page.limit, offset=page.offset
    )
    return [_case(case) for case in cases]


@router.get("/{case_id}", summary="A case with its conversation (internal notes for staff only)")
async def get_case(session: SessionDep, user: CurrentUser, case_id: UUID) -> CaseDetail:
    view = await service.get_case(session, user, case_id)
    customer = PersonPublic(user_id=view.case.account_id)
    if view.customer is not None and (
        staff_sees(user, view.case.category) or view.case.account_id == user.user_id
    ):
        customer = PersonPublic(
            user_id=view.customer.user_id, name=view.customer.name, email=view.customer.email
        )
    return CaseDetail(
        **_case(view.case).model_dump(),
        customer=customer,
        messages=[_message(m, view.author_names.get(m.author_id)) for m in view.messages],
    )


@router.post(
    "/{case_id}/messages",
    status_code=201,
    summary="Reply; staff may add internal notes",
    dependencies=[Depends(posting_limit("reply"))],
)
async def add_message(
    session: SessionDep, user: CurrentUser, case_id: UUID, body: MessageCreate
) -> MessagePublic:
    return _message(await service.add_message(session, user, case_id, body))


@router.post("/{case_id}/status", summary="Change the status (customers may only close their own case)")
async def change_status(
    session: SessionDep, user: CurrentUser, case_id: UUID, body: StatusChange
) -> CasePublic:
    return _case(await service.change_status(session, user, case_id, body.status))
