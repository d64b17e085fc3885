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
