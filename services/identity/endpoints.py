"""HTTP routes: parse, call one service function, map the result. Nothing else lives here."""

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from services.identity import guessing, mail_requests, service
from services.identity.keys import jwks_of
from services.identity.models import User
from services.identity.schemas import (
    NO_NUL,
    AuditPage,
    AuditPublic,
    EmailChangeRequest,
    EmailRequest,
    LockState,
    LoginRequest,
    MePublic,
    MeUpdate,
    OptionalReasonRequest,
    PasswordChangeRequest,
    ReasonRequest,
    RefreshRequest,
    RegisterRequest,
    ResetRequest,
    RolesRequest,
    StatusResponse,
    TokenResponse,
    UserAdminView,
    UserPage,
    VerifyRequest,
)
from shared.auth import CurrentUser, Principal, current_user, require_roles
from shared.http.deps import ClientAddress, Page, SessionDep, paging
from shared.http.problems import problem_response

auth = APIRouter(prefix="/auth", tags=["auth"])
me = APIRouter(prefix="/me", tags=["me"])
admin = APIRouter(prefix="/admin", tags=["admin"])
wellknown = APIRouter(tags=["keys"])

ACCEPTED = {"status": "verification_sent"}
Staff = Annotated[Principal, require_roles("admin", "support")]
Admin = Annotated[Principal, require_roles("admin")]


def _deps(request: Request) -> service.Deps:
    return request.app.state.identity


def _refused(request: Request, refusal: service.Refusal) -> Response:
    # Returned, not raised: the transaction commits what the refusal recorded.
    return problem_response(request, refusal.problem, detail=refusal.detail, headers=refusal.headers)


def _tokens(request: Request, pair: service.TokenPair) -> Response:
    body = TokenResponse(
        access_token=pair.access_token, expires_in=pair.expires_in, refresh_token=pair.refresh_token
    )
    response = JSONResponse(body.model_dump(), headers={"Cache-Control": "no-store"})
    settings = _deps(request).settings
    response.set_cookie(
        settings.refresh_cookie_name,
        pair.refresh_token,
        max_age=pair.refresh_max_age,
        path=settings.refresh_cookie_path,
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return response


def _me(user: User) -> MePublic:
    return MePublic(
        id=user.id,
        name=user.name,
        phone=user.phone,
        email=user.email,
        locale=user.locale,
        roles=sorted(user.roles),
        email_verified=user.email_verified_at is not None,
        created_at=user.created_at,
    )


def _admin_view(detail: service.UserDetail) -> UserAdminView:
    user = detail.user
    return UserAdminView(
        **_me(user).model_dump(),
        email_verified_at=user.email_verified_at,
        disabled=user.disabled_at is not None,
        disabled_at=user.disabled_at,
        updated_at=user.updated_at,
        lock=LockState(
            locked=detail.locked_until is not None,
            until=detail.locked_until,
            recent_failures=detail.recent_failures,
        ),
        active_sessions=detail.active_sessions,
    )


# --- /auth ------------------------------------------------------------------------------------


@auth.post("/register", status_code=202, response_model=StatusResponse, summary="Create an account")
async def register(
    data: RegisterRequest, request: Request, session: SessionDep, client: ClientAddress
) -> dict:
    await service.register(session, _deps(request), data, client)
    return ACCEPTED


@auth.post("/verify", response_model=StatusResponse, summary="Confirm an email address with a mailed token")
async def verify(data: VerifyRequest, session: SessionDep) -> dict:
    await service.verify_email(session, data.token)
    return {"status": "verified"}


@auth.post("/verify/resend", status_code=202, response_model=StatusResponse, summary="Mail a new link")
async def resend(
    data: EmailRequest, request: Request, session: SessionDep, client: ClientAddress, after: BackgroundTasks
) -> dict:
    await service.queue_mail_request(session, _deps(request).settings, "resend", data.email, client)
    after.add_task(mail_requests.wake, request.app)  # runs after the commit and the answer
    return ACCEPTED


@auth.post("/login", response_model=TokenResponse, summary="Sign in with email and password")
async def login(data: LoginRequest, request: Request, session: SessionDep, client: ClientAddress) -> Response:
    user_agent = request.headers.get("user-agent", "")
    result = await service.login(
        session,
        _deps(request),
        data.email,
        data.password,
        client,
        user_agent,
        reader=request.app.state.sessions,
    )
    return _refused(request, result) if isinstance(result, service.Refusal) else _tokens(request, result)


def _refresh_token_of(request: Request, data: RefreshRequest | None) -> str | None:
    if data is not None and data.refresh_token:
        return data.refresh_token
    return request.cookies.get(_deps(request).settings.refresh_cookie_name)


@auth.post("/refresh", response_model=TokenResponse, summary="Exchange a refresh token for a new pair")
async def refresh(
    request: Request, session: SessionDep, data: Annotated[RefreshRequest | None, Body()] = None
) -> Response:
    result = await service.refresh(session, _deps(request), _refresh_token_of(request, data))
    return _refused(request, result) if isinstance(result, service.Refusal) else _tokens(request, result)


def _clear_cookie(request: Request, response: Response) -> None:
    settings = _deps(request).settings
    response.delete_cookie(
        settings.refresh_cookie_name,
        path=settings.refresh_cookie_path,
        secure=True,
        httponly=True,
        samesite="strict",
    )


@auth.post("/logout", status_code=204, summary="End this session (access token, or refresh token)")
async def logout(
    request: Request,
    response: Response,
    session: SessionDep,
    data: Annotated[RefreshRequest | None, Body()] = None,
) -> None:
    principal = await current_user(request) if request.headers.get("authorization") else None
    await service.logout(session, principal, _refresh_token_of(request, data))
    _clear_cookie(request, response)


@auth.post("/logout-all", status_code=204, summary="End every session of the signed-in user")
async def logout_all(request: Request, response: Response, session: SessionDep, user: CurrentUser) -> None:
    await service.logout_all(session, user)
    _clear_cookie(request, response)


@auth.post("/password/forgot", status_code=202, response_model=StatusResponse, summary="Mail a reset link")
async def forgot(
    data: EmailRequest, request: Request, session: SessionDep, client: ClientAddress, after: BackgroundTasks
) -> dict:
    await service.queue_mail_request(session, _deps(request).settings, "forgot", data.email, client)
    after.add_task(mail_requests.wake, request.app)
    return {"status": "reset_sent"}


@auth.post(
    "/unlock",
    response_model=StatusResponse,
    summary="Clear sign-in counters with a mailed one-time link",
    description="The link is mailed to the owner when wrong passwords for the account pile up. "
    "It clears the account's counters and every address's lock on it, and lets the address that "
    "opens it past an address lock for a while. It is never rate limited.",
)
async def unlock(data: VerifyRequest, request: Request, session: SessionDep, client: ClientAddress) -> dict:
    await guessing.unlock_sign_in(session, _deps(request), data.token, client)
    return {"status": "unlocked"}


@auth.post("/password/reset", response_model=StatusResponse, summary="Set a new password with a mailed token")
async def reset(data: ResetRequest, request: Request, session: SessionDep) -> dict:
    await service.reset_password(session, _deps(request), data.token, data.password)
    return {"status": "password_reset"}


# --- /me --------------------------------------------------------------------------------------


@me.get("", response_model=MePublic, summary="The signed-in user's profile")
async def get_me(session: SessionDep, user: CurrentUser) -> MePublic:
    return _me(await service.active_user(session, user))


@me.patch("", response_model=MePublic, summary="Change name, phone or language")
async def patch_me(data: MeUpdate, session: SessionDep, user: CurrentUser) -> MePublic:
    return _me(await service.update_me(session, user, data))


@me.post("/email", status_code=202, response_model=StatusResponse, summary="Change the email address")
async def change_email(
    data: EmailChangeRequest, request: Request, session: SessionDep, user: CurrentUser, client: ClientAddress
) -> Response | dict:
    refusal = await service.request_email_change(
        session, _deps(request), user, data.new_email, data.password, client
    )
    return ACCEPTED if refusal is None else _refused(request, refusal)


@me.post("/password", response_model=StatusResponse, summary="Change the password (ends other sessions)")
async def change_password(
    data: PasswordChangeRequest,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    client: ClientAddress,
) -> Response | dict:
    refusal = await service.change_password(
        session, _deps(request), user, data.current_password, data.new_password, client
    )
    return {"status": "password_changed"} if refusal is None else _refused(request, refusal)


# --- /admin -----------------------------------------------------------------------------------


@admin.get("/users", response_model=UserPage, summary="Search users by email or name")
async def search_users(
    session: SessionDep,
    page: Annotated[Page, paging()],
    staff: Staff,
    q: Annotated[str, Query(max_length=200, pattern=NO_NUL)] = "",
) -> UserPage:
    users, total = await service.search_users(session, q.strip(), page.limit, page.offset)
    return UserPage(items=[_me(u) for u in users], total=total, limit=page.limit, offset=page.offset)


@admin.get(
    "/users/{user_id}", response_model=UserAdminView, summary="One user, with verification and lock state"
)
async def get_user(user_id: uuid.UUID, session: SessionDep, staff: Staff) -> UserAdminView:
    return _admin_view(await service.user_detail(session, user_id))


@admin.post("/users/{user_id}/verify", response_model=UserAdminView, summary="Verify an email by hand")
async def verify_user(
    user_id: uuid.UUID, data: ReasonRequest, session: SessionDep, staff: Staff
) -> UserAdminView:
    return _admin_view(await service.staff_verify(session, staff, user_id, data.reason))


@admin.post("/users/{user_id}/disable", response_model=UserAdminView, summary="Disable an account")
async def disable_user(
    user_id: uuid.UUID, data: ReasonRequest, session: SessionDep, actor: Admin
) -> UserAdminView:
    return _admin_view(await service.set_disabled(session, actor, user_id, True, data.reason))


@admin.post("/users/{user_id}/enable", response_model=UserAdminView, summary="Enable an account")
async def enable_user(
    user_id: uuid.UUID, data: ReasonRequest, session: SessionDep, actor: Admin
) -> UserAdminView:
    return _admin_view(await service.set_disabled(session, actor, user_id, False, data.reason))


@admin.put("/users/{user_id}/roles", response_model=UserAdminView, summary="Replace a user's roles")
async def put_roles(
    user_id: uuid.UUID, data: RolesRequest, session: SessionDep, actor: Admin
) -> UserAdminView:
    return _admin_view(await service.set_roles(session, actor, user_id, list(data.roles), data.reason))


@admin.post("/users/{user_id}/unlock", response_model=UserAdminView, summary="Clear a sign-in lock")
async def unlock_user(
    user_id: uuid.UUID,
    session: SessionDep,
    actor: Admin,
    data: Annotated[OptionalReasonRequest | None, Body()] = None,
) -> UserAdminView:
    return _admin_view(await service.unlock(session, actor, user_id, data.reason if data else ""))


@admin.get("/audit", response_model=AuditPage, summary="Staff actions, newest first")
async def audit(
    session: SessionDep,
    page: Annotated[Page, paging()],
    staff: Staff,
    target: uuid.UUID | None = None,
) -> AuditPage:
    entries, total = await service.list_audit(session, target, page.limit, page.offset)
    return AuditPage(
        items=[AuditPublic.model_validate(e, from_attributes=True) for e in entries],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


# --- keys -------------------------------------------------------------------------------------


@wellknown.get("/.well-known/jwks.json", summary="Public keys that verify access tokens")
async def jwks(session: SessionDep, deps: Annotated[service.Deps, Depends(_deps)]) -> Response:
    keys = await deps.keyring.store.published(session, service.now())
    return JSONResponse(jwks_of(keys), headers={"Cache-Control": "public, max-age=60"})
