"""Use cases of the cases service. Functions only flush: the caller owns the transaction."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.access import may_see, staff_sees, visible_cases
from services.cases.models import Case, CaseMessage, Holding, Person
from services.cases.problems import (
    CASE_CLOSED,
    CASE_NOT_FOUND,
    INTERNAL_NOTE_STAFF_ONLY,
    LICENSE_NOT_FOUND,
    NO_ACTIVE_COVERAGE,
    STATUS_CHANGE_NOT_ALLOWED,
)
from services.cases.reasons import no_coverage_reason
from services.cases.schemas import CaseCreate, MessageCreate
from shared import clock, entitlements
from shared.auth import Principal
from shared.events import CaseOpened, CaseUpdated
from shared.events.cases import CaseStatus
from shared.http.problems import Problem
from shared.i18n import Locale
from shared.outbox import add_event

SERVICE = "cases"
SETTLED: frozenset[str] = frozenset({"resolved", "closed"})


def _now() -> datetime:
    return clock.now()


# --- projections ------------------------------------------------------------------------------


async def remember_person(
    session: AsyncSession, user_id: UUID, email: str, name: str, locale: str, as_of: datetime
) -> None:
    values = {"user_id": user_id, "email": email, "name": name, "locale": locale, "as_of": as_of}
    statement = insert(Person).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[col(Person.user_id)],
            set_={name: statement.excluded[name] for name in values if name != "user_id"},
            where=col(Person.as_of) <= as_of,
        )
    )
    await session.flush()


# --- opening ----------------------------------------------------------------------------------


async def _next_number(session: AsyncSession, prefix: str, year: int) -> str:
    sequence = (await session.execute(text("SELECT nextval('case_number_seq')"))).scalar_one()
    return f"{prefix}-{year}-{sequence:06d}"


async def open_case(
    session: AsyncSession,
    user: Principal,
    locale: Locale,
    request: CaseCreate,
    *,
    today: date,
    number_prefix: str = "C",
) -> Case:
    """Open a case on one of the caller's licenses, if its coverage is active today."""
    holding = await session.get(Holding, request.license_id)
    if holding is None or holding.void or holding.account_id != user.user_id:
        raise Problem(
            LICENSE_NOT_FOUND,
            detail="Pick a license listed under Personal File / Product Licenses, or add it there first",
        )
    coverage = entitlements.Period(holding.coverage_start, holding.coverage_end)
    if not entitlements.may_open_case(
        [entitlements.Holding(holding.product, coverage)], holding.product, today
    ):
        raise Problem(
            NO_ACTIVE_COVERAGE,
            detail=no_coverage_reason(locale, coverage.start, coverage.end, today),
            extra={"coverage_start": coverage.start.isoformat(), "coverage_end": coverage.end.isoformat()},
        )
    opened_at = _now()
    case = Case(
        number=await _next_number(session, number_prefix, today.year),  # the business calendar's year
        account_id=user.user_id,
        license_id=holding.license_id,
        product=holding.product,
        category=request.category,
        subject=request.subject,
        description=request.description,
        status="open",
        opened_at=opened_at,
        updated_at=opened_at,
    )
    session.add(case)
    await session.flush()
    await add_event(
        session,
        CaseOpened(
            case_id=case.id,
            number=case.number,
            account_id=case.account_id,
            license_id=case.license_id,
            product=case.product,
            category=request.category,
            subject_line=case.subject,
        ),
        source=SERVICE,
    )
    return case


# --- reading ----------------------------------------------------------------------------------


async def list_cases(
    session: AsyncSession,
    user: Principal,
    *,
    status: str | None = None,
    category: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Case]:
    """Own cases; staff also see others' (security issues only with the security role)."""
    query = select(Case).where(visible_cases(user))
    if status is not None:
        query = query.where(col(Case.status) == status)
    if category is not None:
        query = query.where(col(Case.category) == category)
    query = query.order_by(col(Case.opened_at).desc()).limit(limit).offset(offset)
    return list((await session.execute(query)).scalars())


async def _visible_case(session: AsyncSession, user: Principal, case_id: UUID, *, lock: bool = False) -> Case:
    """The case, if the caller may see it; otherwise the same 404 as a missing one."""
    case = await session.get(Case, case_id, with_for_update=lock)
    if case is None or not may_see(user, case):
        raise Problem(CASE_NOT_FOUND, detail="Check the case id; Case Management lists your cases")
    return case


@dataclass(frozen=True)
class CaseView:
    case: Case
    customer: Person | None
    messages: list[CaseMessage]
    author_names: dict[UUID, str]


async def get_case(session: AsyncSession, user: Principal, case_id: UUID) -> CaseView:
    case = await _visible_case(session, user, case_id)
    query = select(CaseMessage).where(col(CaseMessage.case_id) == case.id)
    if not staff_sees(user, case.category):
        query = query.where(col(CaseMessage.internal).is_(False))
    messages = list((await session.execute(query.order_by(col(CaseMessage.created_at)))).scalars())
    authors = {m.author_id for m in messages} | {case.account_id}
    people = await session.execute(select(Person).where(col(Person.user_id).in_(authors)))
    names = {person.user_id: person for person in people.scalars()}
    return CaseView(case, names.get(case.account_id), messages, {k: v.name for k, v in names.items()})


# --- changing ---------------------------------------------------------------------------------


async def _announce(session: AsyncSession, case: Case, *, by_staff: bool, summary: str) -> None:
    await add_event(
        session,
        CaseUpdated(
            case_id=case.id,
            number=case.number,
            account_id=case.account_id,
            status=case.status,  # type: ignore[arg-type]
            by_staff=by_staff,
            summary=summary,
        ),
        source=SERVICE,
    )


def _set_status(case: Case, status: str, now: datetime) -> None:
    case.status = status
    if status in SETTLED:
        case.resolved_at = case.resolved_at or now
    else:
        case.resolved_at = None  # reopened: the resolution clock starts over


async def add_message(
    session: AsyncSession, user: Principal, case_id: UUID, request: MessageCreate
) -> CaseMessage:
    """A reply (or a staff-only internal note). Replies move the case between the parties."""
    case = await _visible_case(session, user, case_id, lock=True)
    as_staff = staff_sees(user, case.category)
    if request.internal and not as_staff:
        raise Problem(INTERNAL_NOTE_STAFF_ONLY, detail="Send it as a normal reply instead")
    if case.status == "closed":
        raise Problem(CASE_CLOSED, detail="Open a new case, or ask support to reopen this one")
    now = _now()
    message = CaseMessage(
        case_id=case.id,
        author_id=user.user_id,
        by_staff=as_staff,
        internal=request.internal,
        body=request.body,
    )
    message.created_at = now
    session.add(message)
    if not request.internal:
        if as_staff:
            case.first_response_at = case.first_response_at or now
            if case.status in ("open", "waiting_on_support"):
                _set_status(case, "waiting_on_customer", now)
        elif case.status in ("waiting_on_customer", "resolved"):
            _set_status(case, "waiting_on_support", now)
        await _announce(
            session,
            case,
            by_staff=as_staff,
            summary="reply from support" if as_staff else "reply from customer",
        )
    case.updated_at = now
    await session.flush()
    return message


async def change_status(session: AsyncSession, user: Principal, case_id: UUID, status: CaseStatus) -> Case:
    """Staff set any status; a customer may only close their own case. Same status: no-op."""
    case = await _visible_case(session, user, case_id, lock=True)
    as_staff = staff_sees(user, case.category)
    if not as_staff and status != "closed":
        raise Problem(
            STATUS_CHANGE_NOT_ALLOWED, detail="You can close your case; support sets the other statuses"
        )
    if case.status == status:
        return case
    now = _now()
    _set_status(case, status, now)
    case.updated_at = now
    await _announce(session, case, by_staff=as_staff, summary=f"status changed to {status}")
    await session.flush()
    return case
