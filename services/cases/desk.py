"""Use cases of the support desk: what staff do to a case. Functions only flush.

Every action first finds the case under the caller's visibility (a security case is a 404 for
support without the security role) and then requires the caller to be staff for that case.
"""

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import events, texts
from services.cases.access import SECURITY_ISSUE, staff_sees
from services.cases.events import announce
from services.cases.models import Case, CaseMessage, StaffMember
from services.cases.problems import ASSIGNEE_NOT_ELIGIBLE, CASE_CLOSED, STAFF_ONLY
from services.cases.service import announce_reply, visible_case
from services.cases.workflow import (
    ACTIVE,
    CaseRules,
    check_staff_move,
    move,
    record_change,
    set_due_times,
)
from shared import clock
from shared.auth import STAFF_ROLES, Principal
from shared.events.cases import CaseCategory, CaseSeverity, CaseStatus
from shared.http.problems import Problem


def require_staff(user: Principal) -> None:
    if not user.is_staff:
        raise Problem(STAFF_ONLY, detail=texts.DESK_FOR_STAFF())


async def staff_case(session: AsyncSession, user: Principal, case_id: UUID) -> Case:
    """The case, locked, if `user` works on it as staff (a customer gets 403 on their own case)."""
    case = await visible_case(session, user, case_id, lock=True)
    if not staff_sees(user, case.category):
        raise Problem(STAFF_ONLY, detail=texts.STAFF_ON_CASE())
    return case


async def remember_staff(session: AsyncSession, user: Principal, now: datetime | None = None) -> None:
    """Keep the staff directory (who can be assigned) up to date from the caller's token."""
    values = {
        "user_id": user.user_id,
        "roles": sorted(user.roles & STAFF_ROLES),
        "email": user.email,
        "seen_at": now or clock.now(),
    }
    statement = insert(StaffMember).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[col(StaffMember.user_id)],
            set_={
                "roles": statement.excluded.roles,
                "email": statement.excluded.email,
                "seen_at": statement.excluded.seen_at,
            },
        )
    )


def may_work_on(member: StaffMember, category: CaseCategory) -> bool:
    roles = set(member.roles)
    if category == SECURITY_ISSUE:
        return "security" in roles
    return bool(roles & STAFF_ROLES)


async def add_staff_message(
    session: AsyncSession,
    user: Principal,
    case_id: UUID,
    body: str,
    *,
    internal: bool,
    then_status: CaseStatus | None,
    rules: CaseRules,
) -> CaseMessage:
    """A staff reply (the customer sees it and gets a mail) or an internal note (staff only).

    A reply is the first response if none came yet, takes an unassigned case, and moves it to
    `then_status` (by default: waiting on the customer)."""
    case = await staff_case(session, user, case_id)
    if case.status == "closed":
        raise Problem(CASE_CLOSED, detail=texts.REOPEN_BEFORE_WRITING())
    now = clock.now()
    message = CaseMessage(
        case_id=case.id, author_id=user.user_id, by_staff=True, internal=internal, body=body, created_at=now
    )
    session.add(message)
    case.updated_at = now
    if internal:
        await session.flush()
        return message
    if case.assignee_id is None:
        await _assign(session, case, user.user_id, actor_id=user.user_id, now=now, rules=rules)
    case.first_response_at = case.first_response_at or now
    # A note on a resolved case (a clarification) leaves it resolved unless staff say otherwise.
    target: CaseStatus = then_status or ("waiting_on_customer" if case.status in ACTIVE else "resolved")
    if target != case.status:
        check_staff_move(case, target)
    await move(session, case, target, actor_id=user.user_id, reason="reply", now=now, policy=rules.policy)
    set_due_times(case, rules.policy)  # the first response is in: the queue now sorts by resolution
    await session.flush()
    await announce_reply(session, case, message)
    return message


async def staff_status_change(
    session: AsyncSession, user: Principal, case_id: UUID, status: CaseStatus, *, rules: CaseRules
) -> Case:
    case = await staff_case(session, user, case_id)
    if case.status == status:
        return case
    check_staff_move(case, status)
    now = clock.now()
    if status == "in_progress" and case.assignee_id is None:
        await _assign(session, case, user.user_id, actor_id=user.user_id, now=now, rules=rules)
    await move(session, case, status, actor_id=user.user_id, reason="staff", now=now, policy=rules.policy)
    await session.flush()
    return case


async def _assign(
    session: AsyncSession,
    case: Case,
    assignee_id: UUID | None,
    *,
    actor_id: UUID,
    now: datetime,
    rules: CaseRules,
) -> None:
    previous = case.assignee_id
    if previous == assignee_id:
        return
    case.assignee_id = assignee_id
    case.updated_at = now
    await record_change(
        session,
        case,
        "assignee",
        None if previous is None else str(previous),
        None if assignee_id is None else str(assignee_id),
        actor_id=actor_id,
        reason="staff",
        now=now,
    )
    await announce(session, events.case_assigned(case, previous, actor_id=actor_id))
    if assignee_id is not None and case.status == "new":
        await move(
            session, case, "in_progress", actor_id=actor_id, reason="assignment", now=now, policy=rules.policy
        )


async def assign(
    session: AsyncSession, user: Principal, case_id: UUID, assignee_id: UUID | None, *, rules: CaseRules
) -> Case:
    """Give the case to a staff member who may work on it (or back to the queue with None)."""
    case = await staff_case(session, user, case_id)
    if assignee_id is not None:
        if assignee_id == user.user_id:
            await remember_staff(session, user)
        member = await session.get(StaffMember, assignee_id)
        if member is None or not may_work_on(member, case.category):
            raise Problem(ASSIGNEE_NOT_ELIGIBLE, detail=texts.PICK_ELIGIBLE_ASSIGNEE())
    await _assign(session, case, assignee_id, actor_id=user.user_id, now=clock.now(), rules=rules)
    await session.flush()
    return case


async def change_severity(
    session: AsyncSession, user: Principal, case_id: UUID, severity: CaseSeverity, *, rules: CaseRules
) -> Case:
    """A new severity means new SLA targets, counted from when the case was opened."""
    case = await staff_case(session, user, case_id)
    previous = case.severity
    if previous == severity:
        return case
    now = clock.now()
    case.severity = severity
    case.updated_at = now
    set_due_times(case, rules.policy)
    await record_change(
        session, case, "severity", previous, severity, actor_id=user.user_id, reason="staff", now=now
    )
    await announce(session, events.severity_changed(case, previous, actor_id=user.user_id))
    await session.flush()
    return case


async def staff_directory(session: AsyncSession, user: Principal) -> list[StaffMember]:
    require_staff(user)
    await remember_staff(session, user)
    found = await session.execute(select(StaffMember).order_by(col(StaffMember.seen_at).desc()).limit(500))
    return list(found.scalars())
