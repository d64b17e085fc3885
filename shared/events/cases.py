"""Events of the cases service, topic `cases.case` (key: case id).

A case moves new → in_progress → waiting_on_customer → resolved → closed; every move is a
`CaseStatusChanged`, every reply (not internal notes: they never leave staff) a `CaseReplied`
carrying the text itself, so the mail says what was answered.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from shared.events.base import Event

TOPIC = "cases.case"

CaseCategory = Literal["feature_question", "log_interpretation", "bug", "security_issue"]
CaseSeverity = Literal["critical", "high", "normal", "low"]
CaseStatus = Literal["new", "in_progress", "waiting_on_customer", "resolved", "closed"]
# Who or what moved the case: staff or the customer by hand, a reply, or the auto-close sweep.
TransitionReason = Literal["staff", "customer", "reply", "assignment", "auto_close"]


class CaseOpened(Event):
    topic = TOPIC
    type = "cases.CaseOpened.v1"
    subject_field = "case_id"

    case_id: UUID
    number: str
    account_id: UUID
    license_id: UUID
    product: str
    category: CaseCategory
    subject_line: str
    severity: CaseSeverity = "normal"
    product_version: str | None = None
    first_response_due: datetime | None = None


class CaseReplied(Event):
    """A message the customer sees: a staff reply or the customer's own message."""

    topic = TOPIC
    type = "cases.CaseReplied.v1"
    subject_field = "case_id"

    case_id: UUID
    number: str
    account_id: UUID
    assignee_id: UUID | None
    message_id: UUID
    author_id: UUID
    by_staff: bool
    body: str
    status: CaseStatus


class CaseStatusChanged(Event):
    topic = TOPIC
    type = "cases.CaseStatusChanged.v1"
    subject_field = "case_id"

    case_id: UUID
    number: str
    account_id: UUID
    assignee_id: UUID | None
    previous: CaseStatus
    status: CaseStatus
    actor_id: UUID | None  # None: the system (auto-close)
    reason: TransitionReason


class CaseAssigned(Event):
    topic = TOPIC
    type = "cases.CaseAssigned.v1"
    subject_field = "case_id"

    case_id: UUID
    number: str
    assignee_id: UUID | None
    previous_assignee_id: UUID | None
    actor_id: UUID


class CaseSeverityChanged(Event):
    topic = TOPIC
    type = "cases.CaseSeverityChanged.v1"
    subject_field = "case_id"

    case_id: UUID
    number: str
    previous: CaseSeverity
    severity: CaseSeverity
    actor_id: UUID


class CaseSlaBreached(Event):
    """A due time passed with the case still waiting on staff (announced once per due time)."""

    topic = TOPIC
    type = "cases.CaseSlaBreached.v1"
    subject_field = "case_id"

    case_id: UUID
    number: str
    assignee_id: UUID | None
    target: Literal["first_response", "resolution"]
    due_at: datetime
    severity: CaseSeverity


AutoReplyReason = Literal["unknown_sender", "no_coverage", "choose_product", "case_closed"]


class MailAutoReplyRequested(Event):
    """The support mailbox could not turn a customer's mail into a case (or case message) and
    asks the notifier to answer it once, politely, saying what to do. Keyed by the inbound mail."""

    topic = TOPIC
    type = "cases.MailAutoReplyRequested.v1"
    subject_field = "mail_id"

    mail_id: UUID
    to_email: str
    # Locale of the account when known, else guessed from the mail (Content-Language), else "en".
    locale: str
    name: str | None = None
    reason: AutoReplyReason
    subject_line: str
    # The answered mail's Message-ID: the auto-reply is threaded under it.
    in_reply_to: str | None = None
    # For "choose_product": the covered products the customer may name in the subject.
    products: tuple[str, ...] = ()
