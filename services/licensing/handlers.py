"""Event consumers: licensing learns from identity who is verified, and their name and email."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing.service import accounts
from shared.consumer import Handlers
from shared.events import Envelope, UserProfileChanged, UserVerified


async def on_user_verified(session: AsyncSession, envelope: Envelope[UserVerified]) -> None:
    user = envelope.data
    await accounts.record_verified_account(session, user.user_id, str(user.email), user.name, user.locale)


async def on_user_profile_changed(session: AsyncSession, envelope: Envelope[UserProfileChanged]) -> None:
    user = envelope.data
    await accounts.record_profile_change(
        session, user.user_id, str(user.email), user.name, user.locale, user.disabled
    )


HANDLERS: Handlers = {UserVerified: on_user_verified, UserProfileChanged: on_user_profile_changed}
