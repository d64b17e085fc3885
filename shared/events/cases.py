"""Events of the cases service, topic `cases.case` (key: case id)."""

from typing import Literal
from uuid import UUID

from shared.events.base import Event

TOPIC = "cases.case"

CaseCategory = Literal["feature_question", "log_interpretation", "bug", "security_issue"]
CaseStatus = Literal["open", "waiting_on_customer", "waiting_on_support", "resolved", "closed"]


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


class CaseUpdated(Event):
    topic = TOPIC
    type = "cases.CaseUpdated.v1"
    subject_field = "case_id"

    case_id: UUID
    number: str
    account_id: UUID
    status: CaseStatus
    by_staff: bool
    summary: str = ""


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
