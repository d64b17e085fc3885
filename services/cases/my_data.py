"""The caller's own cases for "Download my data": every case the account reported, with the
conversation as the customer sees it (staff's internal notes are not the customer's data)."""

from collections import defaultdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.models import Case, CaseMessage
from services.cases.presenters import case_detail
from services.cases.schemas import CaseDetail
from services.cases.service import CaseView, people_by_id
from services.cases.workflow import CaseRules
from shared import clock
from shared.auth import CurrentUser
from shared.http.deps import SessionDep, from_app_state

my_data = APIRouter(prefix="/me", tags=["cases"])
RulesDep = Annotated[CaseRules, from_app_state("rules")]


class CasesExport(BaseModel):
    cases: list[CaseDetail]


async def own_cases(session: AsyncSession, user_id: UUID) -> list[CaseView]:
    """Only cases the account itself reported, whatever its roles (staff export their own)."""
    cases = list(
        (
            await session.execute(
                select(Case).where(col(Case.account_id) == user_id).order_by(col(Case.opened_at))
            )
        ).scalars()
    )
    if not cases:
        return []
    found = await session.execute(
        select(CaseMessage)
        .where(
            col(CaseMessage.case_id).in_([case.id for case in cases]), col(CaseMessage.internal).is_(False)
        )
        .order_by(col(CaseMessage.created_at))
    )
    messages: dict[UUID, list[CaseMessage]] = defaultdict(list)
    for message in found.scalars():
        messages[message.case_id].append(message)
    ids = {user_id} | {m.author_id for ms in messages.values() for m in ms}
    ids |= {case.assignee_id for case in cases if case.assignee_id is not None}
    names = await people_by_id(session, ids)
    return [CaseView(case, names.get(case.account_id), messages[case.id], names) for case in cases]


@my_data.get("/export", summary="Every case the signed-in account reported, with its conversation (JSON)")
async def export_my_data(session: SessionDep, user: CurrentUser, rules: RulesDep) -> CasesExport:
    now = clock.now()
    return CasesExport(
        cases=[case_detail(view, now, rules) for view in await own_cases(session, user.user_id)]
    )
