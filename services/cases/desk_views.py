"""What the support desk reads: the queue, a case's workspace, and customer lookup.

All of it comes from the cases service's own tables (cases, and the people and licenses it
projects from identity's and licensing's events): no call to another service.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.access import visible_cases
from services.cases.desk import remember_staff, require_staff, staff_case
from services.cases.models import Case, CaseChange, Holding, Person
from services.cases.service import CaseView, get_case, people_by_id
from services.cases.sla import SlaPolicy, SlaState
from services.cases.workflow import ACTIVE
from shared import entitlements
from shared.auth import Principal
from shared.events.cases import CaseCategory, CaseSeverity, CaseStatus

QueueView = Literal["all", "mine", "unassigned", "breaching_soon"]


@dataclass(frozen=True)
class QueueFilters:
    status: CaseStatus | None = None
    category: CaseCategory | None = None
    severity: CaseSeverity | None = None
    product: str | None = None
    assignee_id: UUID | None = None
    sla: SlaState | None = None


@dataclass(frozen=True)
class QueueResult:
    cases: list[Case]
    counts: dict[str, int]
    total: int
    names: dict[UUID, Person]


def _sla_clause(state: SlaState, now: datetime, policy: SlaPolicy) -> ColumnElement[bool]:
    due = col(Case.sla_due_at)
    soon = now + policy.warn_before
    if state == "breached":
        return due <= now
    if state == "breaching_soon":
        return and_(due > now, due <= soon)
    if state == "on_track":
        return due > soon
    if state == "paused":
        return and_(col(Case.sla_paused_since).is_not(None), col(Case.status).in_(ACTIVE))
    return col(Case.status).in_(("resolved", "closed"))  # met


def _view_clause(view: QueueView, user: Principal, now: datetime, policy: SlaPolicy) -> ColumnElement[bool]:
    if view == "mine":
        return col(Case.assignee_id) == user.user_id
    if view == "unassigned":
        return col(Case.assignee_id).is_(None)
    if view == "breaching_soon":  # breached ones included: they need the same hurry
        return col(Case.sla_due_at) <= now + policy.warn_before
    return col(Case.id).is_not(None)


async def queue(
    session: AsyncSession,
    user: Principal,
    *,
    view: QueueView,
    filters: QueueFilters,
    now: datetime,
    policy: SlaPolicy,
    limit: int,
    offset: int,
) -> QueueResult:
    """Cases staff work on, by next SLA due time (the most urgent first), with counts per view."""
    require_staff(user)
    await remember_staff(session, user, now)
    where: list[ColumnElement[bool]] = [visible_cases(user)]
    where.append(col(Case.status) == filters.status if filters.status else col(Case.status).in_(ACTIVE))
    for column, value in (
        (Case.category, filters.category),
        (Case.severity, filters.severity),
        (Case.product, filters.product),
        (Case.assignee_id, filters.assignee_id),
    ):
        if value is not None:
            where.append(col(column) == value)
    if filters.sla is not None:
        where.append(_sla_clause(filters.sla, now, policy))
    views: tuple[QueueView, ...] = ("all", "mine", "unassigned", "breaching_soon")
    counting = select(
        *(func.count().filter(_view_clause(name, user, now, policy)).label(name) for name in views)
    ).where(*where)
    counts = dict((await session.execute(counting)).one()._mapping)
    query = (
        select(Case)
        .where(*where, _view_clause(view, user, now, policy))
        .order_by(col(Case.sla_due_at).asc().nulls_last(), col(Case.opened_at))
        .limit(limit)
        .offset(offset)
    )
    cases = list((await session.execute(query)).scalars())
    ids = {c.account_id for c in cases} | {c.assignee_id for c in cases if c.assignee_id is not None}
    return QueueResult(cases, counts, counts[view], await people_by_id(session, ids))


@dataclass(frozen=True)
class Workspace:
    view: CaseView
    license: Holding | None
    history: list[CaseChange]
    other_cases: list[Case]


async def workspace(session: AsyncSession, user: Principal, case_id: UUID) -> Workspace:
    """The case with what an engineer needs beside it (internal notes included)."""
    await staff_case(session, user, case_id)  # staff for this case, or 403/404
    await remember_staff(session, user)
    view = await get_case(session, user, case_id)
    case = view.case
    history = await session.execute(
        select(CaseChange).where(col(CaseChange.case_id) == case.id).order_by(col(CaseChange.at))
    )
    changes = list(history.scalars())
    others = await session.execute(
        select(Case)
        .where(col(Case.account_id) == case.account_id, col(Case.id) != case.id, visible_cases(user))
        .order_by(col(Case.opened_at).desc())
        .limit(50)
    )
    actors = {c.actor_id for c in changes if c.actor_id is not None} - set(view.names)
    view.names.update(await people_by_id(session, actors))
    return Workspace(view, await session.get(Holding, case.license_id), changes, list(others.scalars()))


@dataclass
class Customer:
    user_id: UUID
    person: Person | None
    licenses: list[Holding] = field(default_factory=list)
    open_cases: int = 0
    cases: int = 0
    case_list: list[Case] = field(default_factory=list)


def _pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def find_customers(
    session: AsyncSession, user: Principal, text: str, *, limit: int = 20
) -> list[Customer]:
    """Customers whose email or name contains `text`, or who hold a license whose serial does."""
    require_staff(user)
    pattern = _pattern(text.strip())
    by_person = select(col(Person.user_id)).where(
        or_(col(Person.email).ilike(pattern, escape="\\"), col(Person.name).ilike(pattern, escape="\\"))
    )
    by_serial = select(col(Holding.account_id)).where(col(Holding.serial).ilike(pattern, escape="\\"))
    ids = [row[0] for row in (await session.execute(by_person.union(by_serial).limit(limit))).all()]
    return [await _customer(session, user, user_id, with_cases=False) for user_id in ids]


async def customer_file(session: AsyncSession, user: Principal, user_id: UUID) -> Customer:
    require_staff(user)
    return await _customer(session, user, user_id, with_cases=True)


async def _customer(session: AsyncSession, user: Principal, user_id: UUID, *, with_cases: bool) -> Customer:
    person = await session.get(Person, user_id)
    holdings = await session.execute(
        select(Holding).where(col(Holding.account_id) == user_id).order_by(col(Holding.serial))
    )
    mine = and_(col(Case.account_id) == user_id, visible_cases(user))
    counted = await session.execute(
        select(func.count(), func.count().filter(col(Case.status).in_(ACTIVE))).where(mine)
    )
    total, active = counted.one()
    customer = Customer(user_id, person, list(holdings.scalars()), open_cases=active, cases=total)
    if with_cases:
        found = await session.execute(
            select(Case).where(mine).order_by(col(Case.opened_at).desc()).limit(200)
        )
        customer.case_list = list(found.scalars())
    return customer


def covered_on(holding: Holding, today: date) -> bool:
    """The entitlement rule for opening cases, applied to one license."""
    coverage = entitlements.Period(holding.coverage_start, holding.coverage_end)
    return not holding.void and entitlements.may_open_case(
        [entitlements.Holding(holding.product, coverage)], holding.product, today
    )
