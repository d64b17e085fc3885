"""Invitations into an organization: mailed by its administrators to an address, accepted by
the account that signs in with that address (an existing one, or one registered from the mail).

The link carries a random token; only its SHA-256 is stored. An invitation is single use,
expires, and can be revoked; inviting the same address again replaces the pending one. Inviting
answers the same whether or not the address has an account (no enumeration), and each
organization's invitations are rate limited.
"""

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import ColumnElement, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import events
from services.identity.core import Deps, emit, hash_token, now
from services.identity.models import Organization, OrganizationInvitation, User
from services.identity.normalize import email_key
from services.identity.organization_schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationPreview,
    InvitationPublic,
    OrganizationPublic,
)
from services.identity.organizations import (
    add_member,
    administered_organization,
    invitation_view,
    membership_of,
    organization_view,
    refuse_second_membership,
)
from services.identity.problems import (
    ALREADY_MEMBER,
    INVITATION_EXPIRED,
    INVITATION_FOR_OTHER_ADDRESS,
    INVITATION_INVALID,
)
from services.identity.profile import active_user
from services.identity.repository import user_by_email
from services.identity.texts import (
    ALREADY_MEMBER_HERE,
    INVITATION_LINK_EXPIRED,
    INVITATION_USED,
    NO_SUCH_INVITATION,
    SIGN_IN_AS_INVITEE,
    TOO_MANY_INVITATIONS,
)
from shared.auth import Principal
from shared.http.problems import NOT_FOUND, RATE_LIMITED, Problem
from shared.ratelimit import allow

HOUR = timedelta(hours=1)


def _pending(organization_id: uuid.UUID, key: str) -> list[ColumnElement[bool]]:
    return [
        col(OrganizationInvitation.organization_id) == organization_id,
        col(OrganizationInvitation.email_key) == key,
        col(OrganizationInvitation.accepted_at).is_(None),
        col(OrganizationInvitation.revoked_at).is_(None),
    ]


async def _limit_invitations(session: AsyncSession, deps: Deps, organization: Organization) -> None:
    per_hour = deps.settings.invitations_per_organization_per_hour
    wait = await allow(
        session, f"invite:organization:{organization.id}", limit=per_hour, window=HOUR, now=now()
    )
    if wait:
        raise Problem(
            RATE_LIMITED,
            detail=TOO_MANY_INVITATIONS(minutes=wait // 60 + 1),
            headers={"Retry-After": str(wait)},
        )


async def invite(
    session: AsyncSession,
    deps: Deps,
    principal: Principal,
    organization_id: uuid.UUID,
    data: InvitationCreate,
) -> InvitationPublic:
    inviter = await active_user(session, principal)
    organization, _ = await administered_organization(session, principal, organization_id)
    invitee = await user_by_email(session, data.email)
    if invitee is not None:
        membership = await membership_of(session, invitee.id)
        # Only the organization's own members are named: its administrators see them anyway.
        if membership is not None and membership.organization_id == organization.id:
            raise Problem(ALREADY_MEMBER, detail=ALREADY_MEMBER_HERE(email=data.email))
    await _limit_invitations(session, deps, organization)
    key, moment = email_key(data.email), now()
    await session.execute(
        update(OrganizationInvitation).where(*_pending(organization.id, key)).values(revoked_at=moment)
    )
    token = secrets.token_urlsafe(32)
    ttl = timedelta(hours=deps.settings.invitation_ttl_hours)
    invitation = OrganizationInvitation(
        organization_id=organization.id,
        email=data.email,
        email_key=key,
        role=data.role,
        token_hash=hash_token(token),
        invited_by=inviter.id,
        created_at=moment,
        expires_at=moment + ttl,
    )
    session.add(invitation)
    await session.flush()
    # An account's own language wins; an address with no account gets the one asked for.
    locale = invitee.locale if invitee is not None else (data.locale or inviter.locale)
    accept_url = f"{deps.settings.public_url}/organization/join?token={token}"
    await emit(
        session,
        events.organization_invitation_sent(
            invitation, organization, inviter, invitee, locale, accept_url, ttl
        ),
    )
    return invitation_view(invitation)


async def revoke(
    session: AsyncSession, principal: Principal, organization_id: uuid.UUID, invitation_id: uuid.UUID
) -> None:
    await active_user(session, principal)
    organization, _ = await administered_organization(session, principal, organization_id)
    revoked = await session.execute(
        update(OrganizationInvitation)
        .where(
            col(OrganizationInvitation.id) == invitation_id,
            col(OrganizationInvitation.organization_id) == organization.id,
            col(OrganizationInvitation.accepted_at).is_(None),
            col(OrganizationInvitation.revoked_at).is_(None),
        )
        .values(revoked_at=now())
        .returning(col(OrganizationInvitation.id))
    )
    if revoked.first() is None:
        raise Problem(NOT_FOUND, detail=NO_SUCH_INVITATION())


async def _usable(session: AsyncSession, token: str, *, lock: bool) -> OrganizationInvitation:
    query = select(OrganizationInvitation).where(OrganizationInvitation.token_hash == hash_token(token))
    if lock:
        query = query.with_for_update()
    invitation = (await session.exec(query)).first()
    if invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Problem(INVITATION_INVALID, detail=INVITATION_USED())
    if invitation.expires_at <= now():
        raise Problem(INVITATION_EXPIRED, detail=INVITATION_LINK_EXPIRED())
    return invitation


async def preview(session: AsyncSession, token: str) -> InvitationPreview:
    """What the join page shows: only to whoever holds the mailed token."""
    invitation = await _usable(session, token, lock=False)
    organization = await session.get(Organization, invitation.organization_id)
    inviter = await session.get(User, invitation.invited_by)
    assert organization is not None and inviter is not None
    return InvitationPreview(
        organization_name=organization.name,
        inviter_name=inviter.name,
        email=invitation.email,
        role=invitation.role,
        expires_at=invitation.expires_at,
    )


async def accept(session: AsyncSession, principal: Principal, data: InvitationAccept) -> OrganizationPublic:
    """Join with the mailed token, signed in as the address it was mailed to. The row lock makes
    two clicks one membership; the organization's lock orders it with removals and role changes."""
    user = await active_user(session, principal)
    invitation = await _usable(session, data.token, lock=True)
    if invitation.email_key != user.email_key:
        raise Problem(INVITATION_FOR_OTHER_ADDRESS, detail=SIGN_IN_AS_INVITEE())
    await session.get(User, user.id, with_for_update=True)
    await refuse_second_membership(session, user.id)
    organization = await session.get(Organization, invitation.organization_id, with_for_update=True)
    assert organization is not None
    invitation.accepted_at, invitation.accepted_by = now(), user.id
    session.add(invitation)
    await add_member(session, organization, user, invitation.role, bring_licenses=data.bring_licenses)
    return await organization_view(session, organization, invitation.role)
