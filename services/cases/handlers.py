"""Event consumers: licenses (who may open cases), people (names for staff views), memberships
and dissolved organizations (whose cases fall back to their last member).

Effects go only through `session`; the consumer wrapper owns the transaction and the inbox.
"""

from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import service
from services.cases.access import customer_cases
from services.cases.models import HOLDINGS, MEMBERSHIPS, Case
from shared.events import Envelope, OrganizationDissolved, UserProfileChanged, UserVerified
from shared.holdings import holding_handlers
from shared.memberships import membership_handlers


async def on_user_verified(session: AsyncSession, envelope: Envelope[UserVerified]) -> None:
    e = envelope.data
    await service.remember_person(session, e.user_id, str(e.email), e.name, e.locale, envelope.time)


async def on_user_profile_changed(session: AsyncSession, envelope: Envelope[UserProfileChanged]) -> None:
    e = envelope.data
    await service.remember_person(session, e.user_id, str(e.email), e.name, e.locale, envelope.time)


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
    UserVerified: on_user_verified,
    UserProfileChanged: on_user_profile_changed,
}
