"""Customer-facing HTTP routes (/auth, /me) and the public keys: parse, call one use case,
map the result. Nothing else lives here."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import accounts, challenges, core, guessing, mail_requests, profile, sign_in
from services.identity.console_schemas import TwoStepChallengeResponse
from services.identity.keys import jwks_of
from services.identity.models import User
from services.identity.problems import (
    ACCOUNT_DISABLED,
    EMAIL_NOT_VERIFIED,
    INVALID_CREDENTIALS,
    INVALID_REFRESH_TOKEN,
    LOCKED,
    RESET_EXPIRED,
    RESET_INVALID,
    UNLOCK_EXPIRED,
    UNLOCK_INVALID,
    VERIFICATION_EXPIRED,
    VERIFICATION_INVALID,
)
from services.identity.schemas import (
    EmailChangeRequest,
    EmailRequest,
    LoginRequest,
    MePublic,
    MeUpdate,
    PasswordChangeRequest,
    RefreshRequest,
    RegisterRequest,
    ResetRequest,
    StatusResponse,
    TokenResponse,
    VerifyRequest,
)
from shared.auth import CurrentUser, current_user
from shared.http.deps import ClientAddress, SessionDep, from_app_state
from shared.http.problems import RATE_LIMITED, UNAUTHORIZED, problem_responses

auth = APIRouter(prefix="/auth", tags=["auth"])
me = APIRouter(prefix="/me", tags=["me"])
wellknown = APIRouter(tags=["keys"])

ACCEPTED = {"status": "verification_sent"}


# The service's settings, keys and clients, built once by create_app.
IdentityDeps = Annotated[core.Deps, from_app_state("identity")]
SessionMaker = Annotated[async_sessionmaker[AsyncSession], from_app_state("sessions")]


def token_response(deps: core.Deps, pair: sign_in.TokenPair, **extra: object) -> Response:
    body = TokenResponse(
        access_token=pair.access_token, expires_in=pair.expires_in, refresh_token=pair.refresh_token
    )
    response = JSONResponse(body.model_dump() | extra, headers={"Cache-Control": "no-store"})
    settings = deps.settings
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


def me_public(user: User) -> MePublic:
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


# --- /auth ------------------------------------------------------------------------------------


@auth.post("/register", status_code=202, response_model=StatusResponse, summary="Create an account")
async def register(
    data: RegisterRequest, session: SessionDep, deps: IdentityDeps, client: ClientAddress
) -> dict:
    await accounts.register(session, deps, data, client)
    return ACCEPTED


@auth.post(
    "/verify",
    response_model=StatusResponse,
    responses=problem_responses(VERIFICATION_INVALID, VERIFICATION_EXPIRED),
    summary="Confirm an email address with a mailed token",
)
async def verify(data: VerifyRequest, session: SessionDep) -> dict:
    await accounts.verify_email(session, data.token)
    return {"status": "verified"}


@auth.post(
    "/verify/resend",
    status_code=202,
    response_model=StatusResponse,
    responses=problem_responses(RATE_LIMITED),
    summary="Mail a new link",
)
async def resend(
    data: EmailRequest,
    request: Request,
    session: SessionDep,
    deps: IdentityDeps,
    client: ClientAddress,
    after: BackgroundTasks,
) -> dict:
    await accounts.queue_mail_request(session, deps.settings, "resend", data.email, client)
    after.add_task(mail_requests.wake, request.app)  # runs after the commit and the answer
    return ACCEPTED


@auth.post(
    "/login",
    response_model=TokenResponse | TwoStepChallengeResponse,
    responses=problem_responses(INVALID_CREDENTIALS, EMAIL_NOT_VERIFIED, ACCOUNT_DISABLED, LOCKED),
    summary="Sign in with email and password",
    description="Answers the token pair, or, for an account with two-step sign-in (or whose roles "
    "require it), a short-lived challenge to send with a code to /auth/login/two-step (or to "
    "/auth/two-step/enrol first).",
)
async def login(
    data: LoginRequest,
    request: Request,
    session: SessionDep,
    sessions: SessionMaker,
    deps: IdentityDeps,
    client: ClientAddress,
) -> Response:
    user_agent = request.headers.get("user-agent", "")
    result = await sign_in.login(
        session,
        deps,
        data.email,
        data.password,
        client,
        user_agent,
        reader=sessions,
    )
    if isinstance(result, challenges.Challenge):
        challenge = TwoStepChallengeResponse(
            next_step=result.step, challenge=result.token, expires_in=result.expires_in
        )
        return JSONResponse(challenge.model_dump(), headers={"Cache-Control": "no-store"})
    return token_response(deps, result)


def _refresh_token_of(request: Request, deps: core.Deps, data: RefreshRequest | None) -> str | None:
    if data is not None and data.refresh_token:
        return data.refresh_token
    return request.cookies.get(deps.settings.refresh_cookie_name)


@auth.post(
    "/refresh",
    response_model=TokenResponse,
    responses=problem_responses(INVALID_REFRESH_TOKEN),
    summary="Exchange a refresh token for a new pair",
)
async def refresh(
    request: Request,
    session: SessionDep,
    deps: IdentityDeps,
    data: Annotated[RefreshRequest | None, Body()] = None,
) -> Response:
    result = await sign_in.refresh(session, deps, _refresh_token_of(request, deps, data))
    return token_response(deps, result)


def clear_refresh_cookie(deps: core.Deps, response: Response) -> None:
    settings = deps.settings
    response.delete_cookie(
        settings.refresh_cookie_name,
        path=settings.refresh_cookie_path,
        secure=True,
        httponly=True,
        samesite="strict",
    )


@auth.post(
    "/logout",
    status_code=204,
    responses=problem_responses(UNAUTHORIZED),
    summary="End this session (access token, or refresh token)",
)
async def logout(
    request: Request,
    response: Response,
    session: SessionDep,
    deps: IdentityDeps,
    data: Annotated[RefreshRequest | None, Body()] = None,
) -> None:
    principal = await current_user(request) if request.headers.get("authorization") else None
    await sign_in.logout(session, principal, _refresh_token_of(request, deps, data))
    clear_refresh_cookie(deps, response)


@auth.post("/logout-all", status_code=204, summary="End every session of the signed-in user")
async def logout_all(response: Response, session: SessionDep, deps: IdentityDeps, user: CurrentUser) -> None:
    await sign_in.logout_all(session, user)
    clear_refresh_cookie(deps, response)


@auth.post(
    "/password/forgot",
    status_code=202,
    response_model=StatusResponse,
    responses=problem_responses(RATE_LIMITED),
    summary="Mail a reset link",
)
async def forgot(
    data: EmailRequest,
    request: Request,
    session: SessionDep,
    deps: IdentityDeps,
    client: ClientAddress,
    after: BackgroundTasks,
) -> dict:
    await accounts.queue_mail_request(session, deps.settings, "forgot", data.email, client)
    after.add_task(mail_requests.wake, request.app)
    return {"status": "reset_sent"}


@auth.post(
    "/unlock",
    response_model=StatusResponse,
    responses=problem_responses(UNLOCK_INVALID, UNLOCK_EXPIRED),
    summary="Clear sign-in counters with a mailed one-time link",
    description="The link is mailed to the owner when wrong passwords for the account pile up. "
    "It clears the account's counters and every address's lock on it, and lets the address that "
    "opens it past an address lock for a while. It is never rate limited.",
)
async def unlock(data: VerifyRequest, session: SessionDep, deps: IdentityDeps, client: ClientAddress) -> dict:
    await guessing.unlock_sign_in(session, deps, data.token, client)
    return {"status": "unlocked"}


@auth.post(
    "/password/reset",
    response_model=StatusResponse,
    responses=problem_responses(RESET_INVALID, RESET_EXPIRED),
    summary="Set a new password with a mailed token",
)
async def reset(data: ResetRequest, session: SessionDep, deps: IdentityDeps) -> dict:
    await accounts.reset_password(session, deps, data.token, data.password)
    return {"status": "password_reset"}


# --- /me --------------------------------------------------------------------------------------


@me.get("", response_model=MePublic, summary="The signed-in user's profile")
async def get_me(session: SessionDep, user: CurrentUser) -> MePublic:
    return me_public(await profile.active_user(session, user))


@me.patch("", response_model=MePublic, summary="Change name, phone or language")
async def patch_me(data: MeUpdate, session: SessionDep, user: CurrentUser) -> MePublic:
    return me_public(await profile.update_me(session, user, data))


@me.post("/email", status_code=202, response_model=StatusResponse, summary="Change the email address")
async def change_email(
    data: EmailChangeRequest,
    session: SessionDep,
    deps: IdentityDeps,
    user: CurrentUser,
    client: ClientAddress,
) -> dict:
    await profile.request_email_change(session, deps, user, data.new_email, data.password, client)
    return ACCEPTED


@me.post("/password", response_model=StatusResponse, summary="Change the password (ends other sessions)")
async def change_password(
    data: PasswordChangeRequest,
    session: SessionDep,
    deps: IdentityDeps,
    user: CurrentUser,
    client: ClientAddress,
) -> dict:
    await profile.change_password(session, deps, user, data.current_password, data.new_password, client)
    return {"status": "password_changed"}


# --- keys -------------------------------------------------------------------------------------


@wellknown.get("/.well-known/jwks.json", summary="Public keys that verify access tokens")
async def jwks(session: SessionDep, deps: IdentityDeps) -> Response:
    keys = await deps.keyring.store.published(session, core.now())
    return JSONResponse(jwks_of(keys), headers={"Cache-Control": "public, max-age=60"})
