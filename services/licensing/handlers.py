"""Event consumers: licensing learns from identity who is verified, their name and email, and
which organization they belong to (a member may hand their own licenses over to it)."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing.models import MEMBERSHIPS
from services.licensing.service import accounts, ownership
from shared.consumer import Handlers
from shared.events import Envelope, OrganizationMemberAdded, UserProfileChanged, UserVerified
from shared.memberships import membership_handlers

MEMBERSHIP_HANDLERS = membership_handlers(MEMBERSHIPS)


async def on_user_verified(session: AsyncSession, envelope: Envelope[UserVerified]) -> None:
    user = envelope.data
    await accounts.record_verified_account(session, user.user_id, str(user.email), user.name, user.locale)


async def on_user_profile_changed(session: AsyncSession, envelope: Envelope[UserProfileChanged]) -> None:
    user = envelope.data
    await accounts.record_profile_change(
        session, user.user_id, str(user.email), user.name, user.locale, user.disabled
    )


async def on_member_added(session: AsyncSession, envelope: Envelope[OrganizationMemberAdded]) -> None:
    await MEMBERSHIP_HANDLERS[OrganizationMemberAdded](session, envelope)
    member = envelope.data
    if member.bring_licenses:
        await ownership.bring_licenses(session, member.user_id, member.organization_id)


HANDLERS: Handlers = {
    UserVerified: on_user_verified,
    UserProfileChanged: on_user_profile_changed,
    **MEMBERSHIP_HANDLERS,
    OrganizationMemberAdded: on_member_added,
}
