"""Staff-facing HTTP routes (/admin): parse, call one use case, map the result."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.identity import staff
from services.identity.endpoints import me_public
from services.identity.models import Role
from services.identity.schemas import (
    NO_NUL,
    AccountState,
    AuditPage,
    LockState,
    ReasonRequest,
    RolesRequest,
    UserAdminView,
    UserPage,
    UserSummary,
    audit_public,
)
from shared.auth import Principal, require_roles
from shared.http.deps import Page, SessionDep, paging

admin = APIRouter(prefix="/admin", tags=["admin"])
# Support engineers look accounts up, verify addresses and clear sign-in locks (what a customer
# on the phone needs); only administrators disable accounts or change roles.
Staff = Annotated[Principal, require_roles("admin", "support")]
Admin = Annotated[Principal, require_roles("admin")]


def _summary(found: staff.UserSummary) -> UserSummary:
    return UserSummary(
        **me_public(found.user).model_dump(),
        disabled=found.user.disabled_at is not None,
        locked=found.locked,
        last_sign_in_at=found.last_sign_in_at,
        organization_id=found.organization.id if found.organization else None,
        organization_name=found.organization.name if found.organization else None,
    )


def _admin_view(detail: staff.UserDetail) -> UserAdminView:
    user = detail.user
    return UserAdminView(
        **_summary(detail).model_dump(),
        email_verified_at=user.email_verified_at,
        disabled_at=user.disabled_at,
        updated_at=user.updated_at,
        lock=LockState(
            locked=detail.locked_until is not None,
            until=detail.locked_until,
            recent_failures=detail.recent_failures,
        ),
        active_sessions=detail.active_sessions,
    )


# --- /admin -----------------------------------------------------------------------------------


@admin.get("/users", response_model=UserPage, summary="Search users by email or name")
async def search_users(
    session: SessionDep,
    page: Annotated[Page, paging()],
    actor: Staff,
    q: Annotated[str, Query(max_length=200, pattern=NO_NUL)] = "",
    role: Annotated[Role | None, Query(description="Only accounts holding this role")] = None,
    state: Annotated[AccountState | None, Query(description="Only accounts in this state")] = None,
) -> UserPage:
    found, total = await staff.search_users(
        session, q.strip(), page.limit, page.offset, role=role, state=state
    )
    return UserPage(items=[_summary(f) for f in found], total=total, limit=page.limit, offset=page.offset)


@admin.get(
    "/users/{user_id}", response_model=UserAdminView, summary="One user, with verification and lock state"
)
async def get_user(user_id: uuid.UUID, session: SessionDep, actor: Staff) -> UserAdminView:
    return _admin_view(await staff.user_detail(session, user_id))


@admin.post("/users/{user_id}/verify", response_model=UserAdminView, summary="Verify an email by hand")
async def verify_user(
    user_id: uuid.UUID, data: ReasonRequest, session: SessionDep, actor: Staff
) -> UserAdminView:
    return _admin_view(await staff.staff_verify(session, actor, user_id, data.reason))


@admin.post("/users/{user_id}/disable", response_model=UserAdminView, summary="Disable an account")
async def disable_user(
    user_id: uuid.UUID, data: ReasonRequest, session: SessionDep, actor: Admin
) -> UserAdminView:
    return _admin_view(await staff.set_disabled(session, actor, user_id, True, data.reason))


@admin.post("/users/{user_id}/enable", response_model=UserAdminView, summary="Enable an account")
async def enable_user(
    user_id: uuid.UUID, data: ReasonRequest, session: SessionDep, actor: Admin
) -> UserAdminView:
    return _admin_view(await staff.set_disabled(session, actor, user_id, False, data.reason))


@admin.put("/users/{user_id}/roles", response_model=UserAdminView, summary="Replace a user's roles")
async def put_roles(
    user_id: uuid.UUID, data: RolesRequest, session: SessionDep, actor: Admin
) -> UserAdminView:
    return _admin_view(await staff.set_roles(session, actor, user_id, list(data.roles), data.reason))


@admin.post("/users/{user_id}/unlock", response_model=UserAdminView, summary="Clear a sign-in lock")
async def unlock_user(
    user_id: uuid.UUID, data: ReasonRequest, session: SessionDep, actor: Staff
) -> UserAdminView:
    return _admin_view(await staff.unlock(session, actor, user_id, data.reason))


@admin.get("/audit", response_model=AuditPage, summary="Staff actions, newest first")
async def audit(
    session: SessionDep,
    page: Annotated[Page, paging()],
    actor: Staff,
    target: uuid.UUID | None = None,
) -> AuditPage:
    entries, total = await staff.list_audit(session, target, page.limit, page.offset)
    return AuditPage(
        items=[audit_public(e) for e in entries],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
