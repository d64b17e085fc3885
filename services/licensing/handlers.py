"""Event consumers: licensing learns from identity who is verified, their name and email, and
which organization they belong to (a member may hand their own licenses over to it)."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing.models import MEMBERSHIPS
from services.licensing.service import accounts, ownership
from services.licensing.service.organization_names import record_organization_name
from shared.consumer import Handlers
from shared.events import (
    Envelope,
    OrganizationDissolved,
    OrganizationMemberAdded,
    OrganizationRenamed,
    UserProfileChanged,
    UserVerified,
)
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
    await record_organization_name(session, member.organization_id, member.organization_name, envelope.time)
    if member.bring_licenses:
        await ownership.bring_licenses(session, member.user_id, member.organization_id)


async def on_organization_renamed(session: AsyncSession, envelope: Envelope[OrganizationRenamed]) -> None:
    renamed = envelope.data
    await record_organization_name(session, renamed.organization_id, renamed.name, envelope.time)


async def on_organization_dissolved(session: AsyncSession, envelope: Envelope[OrganizationDissolved]) -> None:
    await MEMBERSHIP_HANDLERS[OrganizationDissolved](session, envelope)
    dissolved = envelope.data
    await ownership.take_back_from_dissolved(session, dissolved.user_id, dissolved.organization_id)


HANDLERS: Handlers = {
    UserVerified: on_user_verified,
    UserProfileChanged: on_user_profile_changed,
    **MEMBERSHIP_HANDLERS,
    OrganizationMemberAdded: on_member_added,
    OrganizationRenamed: on_organization_renamed,
    OrganizationDissolved: on_organization_dissolved,
}
