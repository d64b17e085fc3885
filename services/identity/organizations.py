"""Organizations: create one, see it, rename it, change roles, remove members or leave.

An account belongs to at most one organization (the membership's key is the user id). Every
change of membership or roles locks the organization's row first, so two administrators
stepping down at once cannot leave it without one. Membership changes are events: the other
services keep their own copy of who belongs where and grant access from it.
"""

import uuid

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import events
from services.identity.core import emit, now
from services.identity.models import Organization, OrganizationInvitation, OrganizationMember, User
from services.identity.organization_schemas import (
    InvitationPublic,
    InvitationStatus,
    MemberPublic,
    MyOrganization,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
)
from services.identity.problems import (
    ALREADY_IN_ORGANIZATION,
    LAST_ADMIN,
    NOT_ORGANIZATION_ADMIN,
    ORGANIZATION_NOT_EMPTY,
)
from services.identity.profile import active_user
from services.identity.texts import (
    ASK_AN_ADMIN,
    LEAVE_ORGANIZATION_FIRST,
    NO_ORGANIZATION_OF_YOURS,
    NO_SUCH_MEMBER,
    PROMOTE_ANOTHER_ADMIN,
    REMOVE_MEMBERS_FIRST,
)
from shared.auth import Principal
from shared.events.organizations import OrganizationRole, RemovalReason
from shared.http.problems import NOT_FOUND, Problem


async def membership_of(session: AsyncSession, user_id: uuid.UUID) -> OrganizationMember | None:
    return await session.get(OrganizationMember, user_id)


async def refuse_second_membership(session: AsyncSession, user_id: uuid.UUID) -> None:
    if await membership_of(session, user_id) is not None:
        raise Problem(ALREADY_IN_ORGANIZATION, detail=LEAVE_ORGANIZATION_FIRST())


async def locked_organization(
    session: AsyncSession, principal: Principal, organization_id: uuid.UUID
) -> tuple[Organization, OrganizationMember]:
    """The caller's organization, row-locked, with the caller's membership. Someone else's
    organization answers exactly like a missing one."""
    organization = await session.get(Organization, organization_id, with_for_update=True)
    member = await membership_of(session, principal.user_id)
    if organization is None or member is None or member.organization_id != organization.id:
        raise Problem(NOT_FOUND, detail=NO_ORGANIZATION_OF_YOURS())
    return organization, member


async def administered_organization(
    session: AsyncSession, principal: Principal, organization_id: uuid.UUID
) -> tuple[Organization, OrganizationMember]:
    organization, member = await locked_organization(session, principal, organization_id)
    if member.role != "admin":
        raise Problem(NOT_ORGANIZATION_ADMIN, detail=ASK_AN_ADMIN())
    return organization, member


async def add_member(
    session: AsyncSession,
    organization: Organization,
    user: User,
    role: OrganizationRole,
    *,
    bring_licenses: bool,
) -> OrganizationMember:
    member = OrganizationMember(user_id=user.id, organization_id=organization.id, role=role, joined_at=now())
    session.add(member)
    await session.flush()
    await emit(session, events.organization_member_added(member, organization, bring_licenses=bring_licenses))
    return member


async def create_organization(
    session: AsyncSession, principal: Principal, data: OrganizationCreate
) -> OrganizationPublic:
    user = await active_user(session, principal)
    # Lock the account: two "create" clicks at once make one organization, not two.
    await session.get(User, user.id, with_for_update=True)
    await refuse_second_membership(session, user.id)
    moment = now()
    organization = Organization(name=data.name, country=data.country, created_at=moment, updated_at=moment)
    session.add(organization)
    await session.flush()
    await add_member(session, organization, user, "admin", bring_licenses=data.bring_licenses)
    return await organization_view(session, organization, "admin")


async def my_organization(session: AsyncSession, principal: Principal) -> MyOrganization:
    await active_user(session, principal)
    member = await membership_of(session, principal.user_id)
    if member is None:
        return MyOrganization(organization=None)
    organization = await session.get(Organization, member.organization_id)
    assert organization is not None
    return MyOrganization(organization=await organization_view(session, organization, member.role))


async def update_organization(
    session: AsyncSession, principal: Principal, organization_id: uuid.UUID, data: OrganizationUpdate
) -> OrganizationPublic:
    await active_user(session, principal)
    organization, member = await administered_organization(session, principal, organization_id)
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    renamed = "name" in changes and changes["name"] != organization.name
    if changes:
        for key, value in changes.items():
            setattr(organization, key, value)
        organization.updated_at = now()
        session.add(organization)
        await session.flush()
    if renamed:
        # Licensing prints the name in license files; it keeps its copy from this event.
        await emit(session, events.organization_renamed(organization))
    return await organization_view(session, organization, member.role)


async def _admins(session: AsyncSession, organization_id: uuid.UUID) -> int:
    rows = await session.exec(
        select(OrganizationMember.user_id).where(
            OrganizationMember.organization_id == organization_id, OrganizationMember.role == "admin"
        )
    )
    return len(rows.all())


async def _member_of(
    session: AsyncSession, organization: Organization, user_id: uuid.UUID
) -> OrganizationMember:
    member = await membership_of(session, user_id)
    if member is None or member.organization_id != organization.id:
        raise Problem(NOT_FOUND, detail=NO_SUCH_MEMBER())
    return member


async def _keep_an_admin(
    session: AsyncSession, organization: Organization, leaving: OrganizationMember
) -> None:
    if leaving.role == "admin" and await _admins(session, organization.id) <= 1:
        raise Problem(LAST_ADMIN, detail=PROMOTE_ANOTHER_ADMIN())


async def change_role(
    session: AsyncSession,
    principal: Principal,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    role: OrganizationRole,
) -> OrganizationPublic:
    await active_user(session, principal)
    organization, caller = await administered_organization(session, principal, organization_id)
    member = await _member_of(session, organization, user_id)
    if member.role != role:
        if role == "member":
            await _keep_an_admin(session, organization, member)
        member.role = role
        session.add(member)
        await session.flush()
    my_role = member.role if member.user_id == caller.user_id else caller.role
    return await organization_view(session, organization, my_role)


async def remove_member(
    session: AsyncSession, principal: Principal, organization_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    """An administrator removes a member, or a member removes themself (leaves). Licenses,
    contracts and cases stay with the organization; the event ends the member's access."""
    await active_user(session, principal)
    leaving = user_id == principal.user_id
    if leaving:
        organization, member = await locked_organization(session, principal, organization_id)
    else:
        organization, _ = await administered_organization(session, principal, organization_id)
        member = await _member_of(session, organization, user_id)
    await _keep_an_admin(session, organization, member)
    await session.delete(member)
    await session.flush()
    reason: RemovalReason = "left" if leaving else "removed"
    await emit(session, events.organization_member_removed(member, reason))


async def dissolve_organization(
    session: AsyncSession, principal: Principal, organization_id: uuid.UUID
) -> None:
    """Its last member, an administrator, dissolves the organization: what it held (licenses,
    contracts, cases) falls back to them personally, as each service applies the event. While
    anyone else belongs to it, it stays (remove them first: what it holds must land with someone
    who was still a member). Pending invitations go with it."""
    await active_user(session, principal)
    organization, member = await administered_organization(session, principal, organization_id)
    others = await session.exec(
        select(func.count()).where(
            OrganizationMember.organization_id == organization.id,
            OrganizationMember.user_id != member.user_id,
        )
    )
    if others.one():
        raise Problem(ORGANIZATION_NOT_EMPTY, detail=REMOVE_MEMBERS_FIRST())
    await session.exec(
        delete(OrganizationInvitation).where(col(OrganizationInvitation.organization_id) == organization.id)
    )
    await session.delete(member)
    await session.flush()
    await session.delete(organization)
    await session.flush()
    await emit(session, events.organization_dissolved(member))


# --- views ------------------------------------------------------------------------------------


def invitation_status(invitation: OrganizationInvitation) -> InvitationStatus:
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    return "expired" if invitation.expires_at <= now() else "pending"


def invitation_view(invitation: OrganizationInvitation) -> InvitationPublic:
    return InvitationPublic(
        id=invitation.id,
        email=invitation.email,
        role=invitation.role,
        status=invitation_status(invitation),
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


async def organization_view(
    session: AsyncSession, organization: Organization, my_role: OrganizationRole
) -> OrganizationPublic:
    rows = await session.exec(
        select(OrganizationMember, User)
        .join(User, col(User.id) == col(OrganizationMember.user_id))
        .where(OrganizationMember.organization_id == organization.id)
        .order_by(col(OrganizationMember.joined_at))
    )
    members = [
        MemberPublic(user_id=m.user_id, name=u.name, email=u.email, role=m.role, joined_at=m.joined_at)
        for m, u in rows.all()
    ]
    invitations: list[InvitationPublic] = []
    if my_role == "admin":
        found = await session.exec(
            select(OrganizationInvitation)
            .where(OrganizationInvitation.organization_id == organization.id)
            .order_by(col(OrganizationInvitation.created_at).desc())
            .limit(100)
        )
        invitations = [invitation_view(i) for i in found.all()]
    return OrganizationPublic(
        id=organization.id,
        name=organization.name,
        country=organization.country,
        my_role=my_role,
        members=members,
        invitations=invitations,
    )


async def organization_of_user(session: AsyncSession, user_id: uuid.UUID) -> MyOrganization:
    """Staff's customer lookup: the organization an account belongs to, with its members (no
    invitations: they are the organization's administrators' business)."""
    member = await membership_of(session, user_id)
    if member is None:
        return MyOrganization(organization=None)
    organization = await session.get(Organization, member.organization_id)
    assert organization is not None
    view = await organization_view(session, organization, "member")
    return MyOrganization(organization=view.model_copy(update={"my_role": member.role}))
