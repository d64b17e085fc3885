"""Event consumers: licenses (who may open cases), people (names for staff views), memberships
and dissolved organizations (whose cases fall back to their last member).

Effects go only through `session`; the consumer wrapper owns the transaction and the inbox.
"""

from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.access import customer_cases
from services.cases.models import HOLDINGS, MEMBERSHIPS, Case, Person
from shared.consumer import SetWise, newest_per_key
from shared.events import Envelope, OrganizationDissolved, UserProfileChanged, UserVerified
from shared.holdings import holding_handlers
from shared.memberships import membership_handlers


async def remember_people(
    session: AsyncSession, envelopes: list[Envelope[UserVerified] | Envelope[UserProfileChanged]]
) -> None:
    """Name, address and language of each person as of their newest event, last writer wins by
    event time (a late older event changes nothing): a burst of sign-ups is one statement."""
    newest = newest_per_key(envelopes, key=lambda e: e.data.user_id, as_of=lambda e: e.time)
    people = [
        {"user_id": e.data.user_id, "email": str(e.data.email), "name": e.data.name,
         "locale": e.data.locale, "as_of": e.time}
        for e in newest
    ]  # fmt: skip
    statement = insert(Person).values(people)
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=[col(Person.user_id)],
            set_={name: statement.excluded[name] for name in people[0] if name != "user_id"},
            where=col(Person.as_of) <= statement.excluded.as_of,
        )
    )


PEOPLE = SetWise(remember_people)


MEMBERSHIP_HANDLERS = membership_handlers(MEMBERSHIPS)


async def on_organization_dissolved(session: AsyncSession, envelope: Envelope[OrganizationDissolved]) -> None:
    """The cases the last member could read become theirs; a former colleague's private case or
    security issue stays with its reporter (the privacy they chose outlives the organization)."""
    await MEMBERSHIP_HANDLERS[OrganizationDissolved](session, envelope)
    e = envelope.data
    of_organization = col(Case.organization_id) == e.organization_id
    await session.exec(
        update(Case)
        .where(of_organization, customer_cases(e.user_id, e.organization_id))
        .values(account_id=e.user_id, organization_id=None)
    )
    await session.exec(update(Case).where(of_organization).values(organization_id=None))


HANDLERS: dict[type[Any], Any] = {
    **holding_handlers(HOLDINGS),
    **MEMBERSHIP_HANDLERS,
    OrganizationDissolved: on_organization_dissolved,
    UserVerified: PEOPLE,
    UserProfileChanged: PEOPLE,
}
