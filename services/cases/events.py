"""The events of a case, each built from the case it tells about: one function per event, so the
fields an event carries are read from the model in one place, and `announce` queues it in the
outbox of the caller's transaction.
"""

from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.models import Case, CaseMessage
from shared.events.base import Event
from shared.events.cases import (
    CaseAssigned,
    CaseOpened,
    CaseReplied,
    CaseSeverity,
    CaseSeverityChanged,
    CaseSlaBreached,
    CaseStatus,
    CaseStatusChanged,
    TransitionReason,
)
from shared.outbox import add_event

SERVICE = "cases"


async def announce(session: AsyncSession, event: Event) -> None:
    """Queue `event` for publication when the caller's transaction commits."""
    await add_event(session, event, source=SERVICE)


def case_opened(case: Case) -> CaseOpened:
    return CaseOpened(
        case_id=case.id,
        number=case.number,
        account_id=case.account_id,
        license_id=case.license_id,
        product=case.product,
        category=case.category,
        subject_line=case.subject,
        severity=case.severity,
        product_version=case.product_version,
        first_response_due=case.first_response_due_at,
    )


def case_replied(case: Case, message: CaseMessage) -> CaseReplied:
    """A message the customer sees (never an internal note)."""
    assert not message.internal, "internal notes never leave staff"
    return CaseReplied(
        case_id=case.id,
        number=case.number,
        account_id=case.account_id,
        assignee_id=case.assignee_id,
        message_id=message.id,
        author_id=message.author_id,
        by_staff=message.by_staff,
        body=message.body,
        status=case.status,
    )


def status_changed(
    case: Case, previous: CaseStatus, *, actor_id: UUID | None, reason: TransitionReason
) -> CaseStatusChanged:
    """`case` after its move from `previous`."""
    return CaseStatusChanged(
        case_id=case.id,
        number=case.number,
        account_id=case.account_id,
        assignee_id=case.assignee_id,
        previous=previous,
        status=case.status,
        actor_id=actor_id,
        reason=reason,
    )


def case_assigned(case: Case, previous_assignee_id: UUID | None, *, actor_id: UUID) -> CaseAssigned:
    """`case` after it was given to its assignee (or back to the queue)."""
    return CaseAssigned(
        case_id=case.id,
        number=case.number,
        assignee_id=case.assignee_id,
        previous_assignee_id=previous_assignee_id,
        actor_id=actor_id,
    )


def severity_changed(case: Case, previous: CaseSeverity, *, actor_id: UUID) -> CaseSeverityChanged:
    """`case` after its severity changed from `previous`."""
    return CaseSeverityChanged(
        case_id=case.id, number=case.number, previous=previous, severity=case.severity, actor_id=actor_id
    )


def sla_breached(case: Case) -> CaseSlaBreached:
    """The case's next due time passed while it waits on staff."""
    assert case.sla_due_at is not None, "only a case with a due time can miss it"
    return CaseSlaBreached(
        case_id=case.id,
        number=case.number,
        assignee_id=case.assignee_id,
        target="first_response" if case.first_response_at is None else "resolution",
        due_at=case.sla_due_at,
        severity=case.severity,
    )
