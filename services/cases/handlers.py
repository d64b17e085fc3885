"""Event consumers: licenses (who may open cases) and people (names for staff views).

Effects go only through `session`; the consumer wrapper owns the transaction and the inbox.
"""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import service
from services.cases.models import HOLDINGS, MEMBERSHIPS
from shared.events import Envelope, UserProfileChanged, UserVerified
from shared.holdings import holding_handlers
from shared.memberships import membership_handlers


async def on_user_verified(session: AsyncSession, envelope: Envelope[UserVerified]) -> None:
    e = envelope.data
    await service.remember_person(session, e.user_id, str(e.email), e.name, e.locale, envelope.time)


async def on_user_profile_changed(session: AsyncSession, envelope: Envelope[UserProfileChanged]) -> None:
    e = envelope.data
    await service.remember_person(session, e.user_id, str(e.email), e.name, e.locale, envelope.time)


HANDLERS: dict[type[Any], Any] = {
    **holding_handlers(HOLDINGS),
    **membership_handlers(MEMBERSHIPS),
    UserVerified: on_user_verified,
    UserProfileChanged: on_user_profile_changed,
}
