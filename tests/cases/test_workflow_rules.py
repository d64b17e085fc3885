"""The case workflow's rules as services/cases applies them, on the cases service's real
database and without HTTP: every test runs in a transaction that is rolled back."""

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import workflow
from services.cases.models import Case
from services.cases.problems import INVALID_TRANSITION, REOPEN_WINDOW_PASSED
from services.cases.sla import BusinessCalendar, SlaPolicy, Targets
from shared.events.cases import CaseStatus
from shared.http.problems import Problem
from tests.conftest import ServiceSession

# Working hours 09:00–18:00 UTC, Monday to Friday; a normal case is answered within 8 working
# hours and resolved within 16.
POLICY = SlaPolicy(
    BusinessCalendar(timezone="UTC", opens=time(9), closes=time(18)),
    {"normal": Targets(first_response=timedelta(hours=8), resolution=timedelta(hours=16))},
)
RULES = workflow.CaseRules(policy=POLICY)
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def opened_case(session: AsyncSession, opened_at: datetime = MONDAY_9) -> Case:
    case = Case(
        number=f"T-{uuid.uuid4().hex[:10].upper()}",
        account_id=uuid.uuid4(),
        license_id=uuid.uuid4(),
        product="RULES",
        category="bug",
        subject="Reports stop at midnight",
        description="Since the upgrade the nightly report job stops.",
        opened_at=opened_at,
        updated_at=opened_at,
    )
    workflow.set_due_times(case, POLICY)
    session.add(case)
    await session.flush()
    return case


async def staff_move(session: AsyncSession, case: Case, target: CaseStatus, now: datetime) -> None:
    workflow.check_staff_move(case, target)
    await workflow.move(session, case, target, actor_id=uuid.uuid4(), reason="staff", now=now, policy=POLICY)
    await session.flush()


async def test_waiting_on_the_customer_stops_the_resolution_clock(service_session: ServiceSession) -> None:
    async with service_session("cases") as session:
        case = await opened_case(session)
        # 16 working hours from Monday 09:00 (nine a day): Tuesday 16:00.
        assert case.resolution_due_at == datetime(2026, 3, 3, 16, 0, tzinfo=UTC)

        await staff_move(session, case, "waiting_on_customer", MONDAY_9 + timedelta(hours=1))
        assert case.sla_due_at is None  # paused: the queue sorts it last
        assert workflow.sla_state(case, MONDAY_9 + timedelta(days=3), POLICY) == "paused"

        # Back a day later: the 9 working hours waited (Monday 10–18, Tuesday 9–10) are added,
        # 25 working hours from Monday 09:00 is Wednesday 16:00.
        await staff_move(session, case, "in_progress", MONDAY_9 + timedelta(days=1, hours=1))
        assert case.sla_paused_seconds == 9 * 3600
        assert case.resolution_due_at == datetime(2026, 3, 4, 16, 0, tzinfo=UTC)

        connection = await session.connection()
        history = (
            await connection.execute(
                text("SELECT old_value, new_value FROM case_changes WHERE case_id = :id ORDER BY at"),
                {"id": case.id},
            )
        ).all()
        assert [tuple(row) for row in history] == [
            ("new", "waiting_on_customer"),
            ("waiting_on_customer", "in_progress"),
        ]
        announced = await connection.execute(
            text("SELECT count(*) FROM outbox WHERE key = :id AND topic = 'cases.case'"), {"id": str(case.id)}
        )
        assert announced.scalar_one() == 2  # one CaseStatusChanged per move, in the same transaction


async def test_staff_cannot_make_a_closed_case_resolved(service_session: ServiceSession) -> None:
    async with service_session("cases") as session:
        case = await opened_case(session)
        await staff_move(session, case, "closed", MONDAY_9 + timedelta(hours=2))
        with pytest.raises(Problem) as refused:
            workflow.check_staff_move(case, "resolved")
        assert refused.value.type is INVALID_TRANSITION
        assert refused.value.extra["allowed"] == ["in_progress"]


@pytest.mark.parametrize(("days_since_resolved", "may_reopen"), [(13, True), (15, False)])
async def test_a_customer_reopens_within_the_window_only(
    service_session: ServiceSession, days_since_resolved: int, may_reopen: bool
) -> None:
    async with service_session("cases") as session:
        case = await opened_case(session)
        await staff_move(session, case, "resolved", MONDAY_9 + timedelta(hours=3))
        later = MONDAY_9 + timedelta(hours=3, days=days_since_resolved)
        assert workflow.may_reopen(case, later, RULES) is may_reopen
        if may_reopen:
            workflow.check_customer_move(case, "in_progress", later, RULES)
            assert workflow.reopened_status(case) == "new"  # nobody has it: back to the queue
        else:
            with pytest.raises(Problem) as refused:
                workflow.check_customer_move(case, "in_progress", later, RULES)
            assert refused.value.type is REOPEN_WINDOW_PASSED
