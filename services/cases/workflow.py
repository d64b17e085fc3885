"""The case workflow: which status moves are allowed, and what a move does to the SLA clocks.

new → in_progress (assigned) → waiting_on_customer → resolved → closed. Staff move cases along
(and back); a customer may close their case, and reopen a resolved one within the reopen window.
Every move is written to the case's history and announced as `CaseStatusChanged`, in the same
transaction (outbox).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import events, texts
from services.cases.events import announce
from services.cases.models import Case, CaseChange, ChangeKind
from services.cases.problems import INVALID_TRANSITION, REOPEN_WINDOW_PASSED, STATUS_CHANGE_NOT_ALLOWED
from services.cases.sla import SlaPolicy, SlaState
from shared.events.cases import CaseStatus, TransitionReason
from shared.http.problems import Problem

SETTLED: frozenset[CaseStatus] = frozenset({"resolved", "closed"})
ACTIVE: tuple[CaseStatus, ...] = ("new", "in_progress", "waiting_on_customer")

STAFF_MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    "new": frozenset({"in_progress", "waiting_on_customer", "resolved", "closed"}),
    "in_progress": frozenset({"waiting_on_customer", "resolved", "closed"}),
    "waiting_on_customer": frozenset({"in_progress", "resolved", "closed"}),
    "resolved": frozenset({"in_progress", "closed"}),
    "closed": frozenset({"in_progress"}),  # staff may reopen what was closed by mistake
}


@dataclass(frozen=True)
class CaseRules:
    """The configurable parts of the workflow, from the service's settings."""

    policy: SlaPolicy
    reopen_window: timedelta = timedelta(days=14)
    auto_close_after: timedelta = timedelta(days=14)


def check_staff_move(case: Case, target: CaseStatus) -> None:
    if target not in STAFF_MOVES[case.status]:
        raise Problem(
            INVALID_TRANSITION,
            detail=texts.TRANSITION_NOT_ALLOWED(
                current=case.status, target=target, allowed=sorted(STAFF_MOVES[case.status])
            ),
            extra={"status": case.status, "allowed": sorted(STAFF_MOVES[case.status])},
        )


def check_customer_move(case: Case, target: CaseStatus, now: datetime, rules: CaseRules) -> None:
    """A customer closes their case, or reopens it while resolved and within the window."""
    if target == "closed" and case.status != "closed":
        return
    if target in ("in_progress", "new") and case.status == "resolved":
        if may_reopen(case, now, rules):
            return
        raise Problem(REOPEN_WINDOW_PASSED, detail=texts.RESOLVED_TOO_LONG_AGO())
    raise Problem(STATUS_CHANGE_NOT_ALLOWED, detail=texts.CUSTOMER_MOVES())


def may_reopen(case: Case, now: datetime, rules: CaseRules) -> bool:
    return case.status == "resolved" and (
        case.resolved_at is None or now - case.resolved_at <= rules.reopen_window
    )


def reopened_status(case: Case) -> CaseStatus:
    """Where a reopened case goes: back to its engineer, or back to the queue when it has none."""
    return "in_progress" if case.assignee_id is not None else "new"


def _run_clocks(
    case: Case, previous: CaseStatus, target: CaseStatus, now: datetime, policy: SlaPolicy
) -> None:
    if previous == "waiting_on_customer" and case.sla_paused_since is not None:
        paused = policy.paused_time(case.sla_paused_since, now)
        case.sla_paused_seconds += int(paused.total_seconds())
        case.sla_paused_since = None
        set_due_times(case, policy)
    if target == "waiting_on_customer":
        case.sla_paused_since = now
    if target == "resolved":
        case.resolved_at = now
    elif target == "closed":
        case.resolved_at = case.resolved_at or now
        case.closed_at = now
    else:  # (re)opened: the case is not settled any more
        case.resolved_at = None
        case.closed_at = None


def set_due_times(case: Case, policy: SlaPolicy) -> None:
    """Due times from the case's severity, opening time and the time it spent waiting on the customer."""
    case.first_response_due_at = policy.first_response_due(case.severity, case.opened_at)
    case.resolution_due_at = policy.resolution_due(
        case.severity, case.opened_at, timedelta(seconds=case.sla_paused_seconds)
    )
    refresh_next_due(case)


def refresh_next_due(case: Case) -> None:
    """The due time the queue sorts by: none while paused or settled."""
    if case.status in SETTLED or case.sla_paused_since is not None:
        case.sla_due_at = None
    elif case.first_response_at is None:
        case.sla_due_at = case.first_response_due_at
    else:
        case.sla_due_at = case.resolution_due_at


def sla_state(case: Case, now: datetime, policy: SlaPolicy) -> SlaState:
    if case.status in SETTLED:
        return "met"
    return policy.state(case.sla_due_at, now, paused=case.sla_paused_since is not None)


async def record_change(
    session: AsyncSession,
    case: Case,
    kind: ChangeKind,
    old: str | None,
    new: str | None,
    *,
    actor_id: UUID | None,
    reason: TransitionReason,
    now: datetime,
) -> None:
    session.add(
        CaseChange(
            case_id=case.id, kind=kind, old_value=old, new_value=new, actor_id=actor_id, reason=reason, at=now
        )
    )


async def move(
    session: AsyncSession,
    case: Case,
    target: CaseStatus,
    *,
    actor_id: UUID | None,
    reason: TransitionReason,
    now: datetime,
    policy: SlaPolicy,
) -> None:
    """Apply an allowed move (callers check who may make it): clocks, history, event."""
    previous = case.status
    if previous == target:
        return
    _run_clocks(case, previous, target, now, policy)
    case.status = target
    case.updated_at = now
    refresh_next_due(case)
    await record_change(session, case, "status", previous, target, actor_id=actor_id, reason=reason, now=now)
    await announce(session, events.status_changed(case, previous, actor_id=actor_id, reason=reason))
