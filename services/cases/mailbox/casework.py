"""The mailbox's only door into the cases service's use cases: open a case, add a customer's
message. Mail is one more way in, so the rules (coverage, closed cases, events, SLA clocks)
are the portal's own; nothing here decides them."""

from datetime import date
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import service
from services.cases.models import Case, CaseMessage, Person
from services.cases.schemas import CaseCreate, MessageCreate
from shared.auth import Principal
from shared.i18n import normalize_locale

DESCRIPTION_MAX = 20_000


def _customer(person: Person) -> Principal:
    """The sender acts as the customer they are: never with staff rights, whatever their roles."""
    return Principal(user_id=person.user_id, roles=frozenset({"customer"}), email=person.email)


def _fit(text: str, limit: int, empty: str) -> str:
    text = text.strip() or empty
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def open_case(
    session: AsyncSession,
    person: Person,
    *,
    license_id: UUID,
    category: str,
    subject: str,
    body: str,
    today: date,
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
    locale = normalize_locale(person.locale) or "en"
    return await service.open_case(
        session, _customer(person), locale, request, today=today, number_prefix=number_prefix
    )


async def add_customer_message(
    session: AsyncSession, person: Person, case_id: UUID, body: str
) -> CaseMessage:
    request = MessageCreate(body=_fit(body, DESCRIPTION_MAX, "(empty mail)"), internal=False)
    return await service.add_message(session, _customer(person), case_id, request)
