"""Routes of organizations, their members and invitations: parse, call one use case, map."""

import uuid
from typing import Annotated

from fastapi import APIRouter

from services.identity import organization_invitations, organizations
from services.identity.endpoints import IdentityDeps
from services.identity.organization_schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationPreview,
    InvitationPublic,
    InvitationToken,
    MyOrganization,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
    RoleChange,
)
from services.identity.problems import (
    ALREADY_IN_ORGANIZATION,
    ALREADY_MEMBER,
    INVITATION_EXPIRED,
    INVITATION_FOR_OTHER_ADDRESS,
    INVITATION_INVALID,
    LAST_ADMIN,
    NOT_ORGANIZATION_ADMIN,
    ORGANIZATION_NOT_EMPTY,
)
from shared.auth import CurrentUser, Principal, require_roles
from shared.http.deps import SessionDep
from shared.http.problems import NOT_FOUND, RATE_LIMITED, problem_responses

router = APIRouter(prefix="/organizations", tags=["organizations"])

ADMIN_REFUSALS = (NOT_FOUND, NOT_ORGANIZATION_ADMIN)
Staff = Annotated[Principal, require_roles("admin", "support")]


@router.post(
    "",
    status_code=201,
    response_model=OrganizationPublic,
    responses=problem_responses(ALREADY_IN_ORGANIZATION),
    summary="Create an organization; the caller becomes its administrator",
)
async def create(data: OrganizationCreate, session: SessionDep, user: CurrentUser) -> OrganizationPublic:
    return await organizations.create_organization(session, user, data)


@router.get("/mine", response_model=MyOrganization, summary="The caller's organization (null if none)")
async def mine(session: SessionDep, user: CurrentUser) -> MyOrganization:
    return await organizations.my_organization(session, user)


@router.patch(
    "/{organization_id}",
    response_model=OrganizationPublic,
    responses=problem_responses(*ADMIN_REFUSALS),
    summary="Rename the organization or change its country",
)
async def update(
    organization_id: uuid.UUID, data: OrganizationUpdate, session: SessionDep, user: CurrentUser
) -> OrganizationPublic:
    return await organizations.update_organization(session, user, organization_id, data)


@router.put(
    "/{organization_id}/members/{user_id}/role",
    response_model=OrganizationPublic,
    responses=problem_responses(*ADMIN_REFUSALS, LAST_ADMIN),
    summary="Make a member an administrator, or an administrator a member",
)
async def change_role(
    organization_id: uuid.UUID, user_id: uuid.UUID, data: RoleChange, session: SessionDep, user: CurrentUser
) -> OrganizationPublic:
    return await organizations.change_role(session, user, organization_id, user_id, data.role)


@router.delete(
    "/{organization_id}/members/{user_id}",
    status_code=204,
    responses=problem_responses(*ADMIN_REFUSALS, LAST_ADMIN),
    summary="Remove a member (administrators), or leave (your own user id)",
)
async def remove_member(
    organization_id: uuid.UUID, user_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> None:
    await organizations.remove_member(session, user, organization_id, user_id)


@router.delete(
    "/{organization_id}",
    status_code=204,
    responses=problem_responses(*ADMIN_REFUSALS, ORGANIZATION_NOT_EMPTY),
    summary="Dissolve the organization (its last member, an administrator); what it held becomes theirs",
)
async def dissolve(organization_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> None:
    await organizations.dissolve_organization(session, user, organization_id)


@router.post(
    "/{organization_id}/invitations",
    status_code=201,
    response_model=InvitationPublic,
    responses=problem_responses(*ADMIN_REFUSALS, ALREADY_MEMBER, RATE_LIMITED),
    summary="Invite a colleague by email (the mail goes out in their language)",
)
async def invite(
    organization_id: uuid.UUID,
    data: InvitationCreate,
    session: SessionDep,
    deps: IdentityDeps,
    user: CurrentUser,
) -> InvitationPublic:
    return await organization_invitations.invite(session, deps, user, organization_id, data)


@router.delete(
    "/{organization_id}/invitations/{invitation_id}",
    status_code=204,
    responses=problem_responses(*ADMIN_REFUSALS),
    summary="Revoke a pending invitation",
)
async def revoke_invitation(
    organization_id: uuid.UUID, invitation_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> None:
    await organization_invitations.revoke(session, user, organization_id, invitation_id)


@router.post(
    "/invitations/preview",
    response_model=InvitationPreview,
    responses=problem_responses(INVITATION_INVALID, INVITATION_EXPIRED),
    summary="What an invitation offers, for whoever holds its mailed token",
    description="A POST, so the token stays out of access logs and caches.",
)
async def preview_invitation(data: InvitationToken, session: SessionDep) -> InvitationPreview:
    return await organization_invitations.preview(session, data.token)


@router.post(
    "/invitations/accept",
    response_model=OrganizationPublic,
    responses=problem_responses(
        INVITATION_INVALID, INVITATION_EXPIRED, INVITATION_FOR_OTHER_ADDRESS, ALREADY_IN_ORGANIZATION
    ),
    summary="Join the organization with the mailed token, signed in as the invited address",
)
async def accept_invitation(
    data: InvitationAccept, session: SessionDep, user: CurrentUser
) -> OrganizationPublic:
    return await organization_invitations.accept(session, user, data)


@router.get(
    "/of-user/{user_id}",
    response_model=MyOrganization,
    summary="Staff: the organization an account belongs to, with its members (customer lookup)",
)
async def of_user(user_id: uuid.UUID, session: SessionDep, staff: Staff) -> MyOrganization:
    return await organizations.organization_of_user(session, user_id)
