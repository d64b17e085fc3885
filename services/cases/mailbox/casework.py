"""The mailbox's only door into the cases service's use cases: open a case, add a customer's
message. Mail is one more way in, so the rules (coverage, closed cases, events, SLA clocks)
are the portal's own; nothing here decides them."""

from datetime import date
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import service
from services.cases.models import Case, CaseMessage, Person
from services.cases.schemas import CaseCreate
from services.cases.workflow import CaseRules
from shared.events.cases import CaseCategory

DESCRIPTION_MAX = 20_000


def _fit(text: str, limit: int, empty: str) -> str:
    text = text.strip() or empty
    return text if len(text) <= limit else text[: limit - 1] + "…"


# The sender acts as the customer they are (the use cases below take the account, never roles):
# a staff member mailing in gets no staff rights.


async def open_case(
    session: AsyncSession,
    person: Person,
    *,
    license_id: UUID,
    category: CaseCategory,
    subject: str,
    body: str,
    today: date,
    rules: CaseRules,
    number_prefix: str,
) -> Case:
    request = CaseCreate.model_validate(
        {
            "license_id": license_id,
            "category": category,
            "subject": _fit(subject, 200, "(no subject)").ljust(3, "."),
            "description": _fit(body, DESCRIPTION_MAX, "(empty mail)"),
        }
    )
    return await service.open_case(
        session,
        person.user_id,
        request,
        today=today,
        rules=rules,
        number_prefix=number_prefix,
    )


async def add_customer_message(
    session: AsyncSession, person: Person, case_id: UUID, body: str, *, rules: CaseRules
) -> CaseMessage:
    return await service.add_customer_message(
        session, person.user_id, case_id, _fit(body, DESCRIPTION_MAX, "(empty mail)"), rules=rules
    )
