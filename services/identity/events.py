"""Identity's events, each built from the account by one function, so that every use case that
emits one sends the same fields the same way (the notifier mails from them, other services keep
projections of them)."""

import uuid
from datetime import timedelta
from typing import Literal

from services.identity.config import Settings
from services.identity.core import OneTimeLink
from services.identity.models import Organization, OrganizationInvitation, OrganizationMember, User
from shared.events import (
    AccountClosed,
    AccountExistsNotice,
    OrganizationDissolved,
    OrganizationInvitationSent,
    OrganizationMemberAdded,
    OrganizationMemberRemoved,
    OrganizationRenamed,
    PasswordResetRequested,
    SessionsRevoked,
    SignInUnlockOffered,
    TwoStepChanged,
    UserProfileChanged,
    UserRegistered,
    UserVerified,
    VerificationRequested,
)
from shared.events.identity import TwoStepChange
from shared.events.organizations import RemovalReason
from shared.i18n import Locale

# Why a verification link was mailed, and who confirmed an address (shared.events.identity).
VerificationReason = Literal["register", "resend", "email_change"]
VerifiedBy = Literal["link", "staff"]


def registered(user: User) -> UserRegistered:
    return UserRegistered(user_id=user.id, email=user.email, name=user.name, locale=user.locale)


def verification_requested(
    user: User, email: str, link: OneTimeLink, reason: VerificationReason
) -> VerificationRequested:
    """`email` is where the link goes: the account's address, or the new one it asked for."""
    return VerificationRequested(
        user_id=user.id,
        email=email,
        name=user.name,
        locale=user.locale,
        verify_url=link.url,
        expires_in_hours=link.hours,
        reason=reason,
    )


def verified(user: User, by: VerifiedBy) -> UserVerified:
    return UserVerified(user_id=user.id, email=user.email, name=user.name, locale=user.locale, verified_by=by)


def account_exists_notice(user: User, settings: Settings) -> AccountExistsNotice:
    return AccountExistsNotice(
        user_id=user.id,
        email=user.email,
        name=user.name,
        locale=user.locale,
        sign_in_url=f"{settings.public_url}/login",
        reset_url=f"{settings.public_url}/forgot-password",
    )


def password_reset_requested(user: User, link: OneTimeLink) -> PasswordResetRequested:
    return PasswordResetRequested(
        user_id=user.id,
        email=user.email,
        name=user.name,
        locale=user.locale,
        reset_url=link.url,
        expires_in_minutes=link.minutes,
    )


def unlock_offered(user: User, link: OneTimeLink, failures: int) -> SignInUnlockOffered:
    return SignInUnlockOffered(
        user_id=user.id,
        email=user.email,
        name=user.name,
        locale=user.locale,
        unlock_url=link.url,
        failures=failures,
        expires_in_hours=link.hours,
    )


def profile_changed(user: User, previous_email: str | None = None) -> UserProfileChanged:
    return UserProfileChanged(
        user_id=user.id,
        email=user.email,
        name=user.name,
        locale=user.locale,
        previous_email=previous_email,
        disabled=user.disabled_at is not None,
    )


def sessions_revoked(user_id: uuid.UUID, session_ids: list[uuid.UUID], reason: str) -> SessionsRevoked:
    return SessionsRevoked(user_id=user_id, session_ids=session_ids, reason=reason)


def two_step_changed(user: User, change: TwoStepChange, recovery_codes_left: int) -> TwoStepChanged:
    return TwoStepChanged(
        user_id=user.id,
        email=user.email,
        name=user.name,
        locale=user.locale,
        change=change,
        recovery_codes_left=recovery_codes_left,
    )


def account_closed(user: User) -> AccountClosed:
    """Built before the account is anonymised: it carries the address and name it had."""
    return AccountClosed(user_id=user.id, email=user.email, name=user.name, locale=user.locale)


# --- organizations ----------------------------------------------------------------------------


def organization_member_added(
    member: OrganizationMember, organization: Organization, *, bring_licenses: bool
) -> OrganizationMemberAdded:
    return OrganizationMemberAdded(
        user_id=member.user_id,
        organization_id=organization.id,
        organization_name=organization.name,
        role=member.role,
        bring_licenses=bring_licenses,
    )


def organization_member_removed(
    member: OrganizationMember, reason: RemovalReason
) -> OrganizationMemberRemoved:
    return OrganizationMemberRemoved(
        user_id=member.user_id, organization_id=member.organization_id, reason=reason
    )


def organization_dissolved(member: OrganizationMember) -> OrganizationDissolved:
    return OrganizationDissolved(user_id=member.user_id, organization_id=member.organization_id)


def organization_renamed(organization: Organization) -> OrganizationRenamed:
    return OrganizationRenamed(organization_id=organization.id, name=organization.name)


def organization_invitation_sent(
    invitation: OrganizationInvitation,
    organization: Organization,
    inviter: User,
    invitee: User | None,
    locale: Locale,
    accept_url: str,
    ttl: timedelta,
) -> OrganizationInvitationSent:
    return OrganizationInvitationSent(
        invitation_id=invitation.id,
        organization_id=organization.id,
        organization_name=organization.name,
        inviter_name=inviter.name,
        email=invitation.email,
        name=invitee.name if invitee is not None else invitation.email,
        locale=locale,
        accept_url=accept_url,
        expires_in_hours=int(ttl.total_seconds()) // 3600,
    )
