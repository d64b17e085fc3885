"""HTTP routes of the account console: the signed-in user's sessions and two-step sign-in,
and the second step of sign-in. Parse, call one use case, map the result."""

import uuid

from fastapi import APIRouter, Request, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import closing, core, profile, sessions_console, two_step, two_step_sign_in
from services.identity.console_schemas import (
    AccountExport,
    ChallengeCodeRequest,
    ChallengeRequest,
    CloseAccountRequest,
    CodeRequest,
    DisableTwoStepRequest,
    EnrolledTokens,
    IdentityExport,
    NewRecoveryCodesRequest,
    RecoveryCodes,
    SessionPublic,
    TwoStepEnrolment,
    TwoStepStatus,
)
from services.identity.endpoints import IdentityDeps, clear_refresh_cookie, me_public, token_response
from services.identity.models import User
from services.identity.problems import (
    CURRENT_PASSWORD_WRONG,
    LOCKED,
    TWO_STEP_CHALLENGE_INVALID,
    TWO_STEP_CODE_REQUIRED,
    TWO_STEP_CODE_WRONG,
)
from services.identity.schemas import TokenResponse
from shared.auth import CurrentUser, Principal
from shared.http.deps import ClientAddress, SessionDep
from shared.http.problems import CONFLICT, NOT_FOUND, problem_responses

console = APIRouter(prefix="/me", tags=["me"])
second_step = APIRouter(prefix="/auth", tags=["auth"])


def _enrolment(found: two_step.Enrolment) -> TwoStepEnrolment:
    return TwoStepEnrolment(secret=found.secret, otpauth_uri=found.otpauth_uri, qr_image=found.qr_image)


# --- sessions ---------------------------------------------------------------------------------


async def _sessions(session: AsyncSession, user: Principal) -> list[SessionPublic]:
    return [
        SessionPublic(
            id=live.id,
            browser=live.device.browser,
            system=live.device.system,
            address=live.address,
            created_at=live.created_at,
            last_used_at=live.last_used_at,
            current=live.current,
        )
        for live in await sessions_console.list_sessions(session, user)
    ]


@console.get("/sessions", response_model=list[SessionPublic], summary="The signed-in user's active sessions")
async def list_sessions(session: SessionDep, user: CurrentUser) -> list[SessionPublic]:
    return await _sessions(session, user)


@console.delete(
    "/sessions/{session_id}",
    status_code=204,
    responses=problem_responses(NOT_FOUND),
    summary="Sign out one of the user's sessions (its tokens stop working everywhere)",
)
async def end_session(session_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> None:
    await sessions_console.end_session(session, user, session_id)


@console.post("/sessions/sign-out-others", status_code=204, summary="Sign out every session but this one")
async def end_other_sessions(session: SessionDep, user: CurrentUser) -> None:
    await sessions_console.end_other_sessions(session, user)


# --- two-step sign-in -------------------------------------------------------------------------


@console.get("/two-step", response_model=TwoStepStatus, summary="Whether two-step sign-in is on")
async def two_step_status(session: SessionDep, deps: IdentityDeps, user: CurrentUser) -> TwoStepStatus:
    return await _two_step_status(session, deps, await profile.active_user(session, user))


async def _two_step_status(session: AsyncSession, deps: core.Deps, account: User) -> TwoStepStatus:
    found = await two_step.state(session, deps, account)
    return TwoStepStatus(
        enabled=found.enabled, recovery_codes_left=found.recovery_codes_left, required=found.required
    )


@console.post(
    "/two-step",
    response_model=TwoStepEnrolment,
    responses=problem_responses(CONFLICT),
    summary="Start setting up an authenticator app (a new secret, shown this once)",
)
async def start_two_step(session: SessionDep, deps: IdentityDeps, user: CurrentUser) -> TwoStepEnrolment:
    return _enrolment(await two_step.start(session, deps, await profile.active_user(session, user)))


@console.post(
    "/two-step/confirm",
    response_model=RecoveryCodes,
    responses=problem_responses(CONFLICT, TWO_STEP_CODE_WRONG, LOCKED),
    summary="Turn two-step sign-in on with a first code; answers the recovery codes, once",
)
async def confirm_two_step(
    data: CodeRequest, session: SessionDep, deps: IdentityDeps, user: CurrentUser, client: ClientAddress
) -> RecoveryCodes:
    account = await profile.active_user(session, user)
    return RecoveryCodes(recovery_codes=await two_step.confirm(session, deps, account, data.code, client))


@console.post(
    "/two-step/disable",
    status_code=204,
    responses=problem_responses(CONFLICT, CURRENT_PASSWORD_WRONG, TWO_STEP_CODE_WRONG, LOCKED),
    summary="Turn two-step sign-in off (password and a code)",
)
async def disable_two_step(
    data: DisableTwoStepRequest,
    session: SessionDep,
    deps: IdentityDeps,
    user: CurrentUser,
    client: ClientAddress,
) -> None:
    account = await profile.active_user(session, user)
    await profile.require_password(session, deps, account, data.password, client)
    await two_step.disable(session, deps, account, data.code, client)


@console.post(
    "/two-step/recovery-codes",
    response_model=RecoveryCodes,
    responses=problem_responses(CONFLICT, CURRENT_PASSWORD_WRONG, TWO_STEP_CODE_WRONG, LOCKED),
    summary="New recovery codes in place of all old ones (password and a code); answers them, once",
)
async def renew_recovery_codes(
    data: NewRecoveryCodesRequest,
    session: SessionDep,
    deps: IdentityDeps,
    user: CurrentUser,
    client: ClientAddress,
) -> RecoveryCodes:
    account = await profile.active_user(session, user)
    await profile.require_password(session, deps, account, data.password, client)
    codes = await two_step.renew_recovery_codes(session, deps, account, data.code, client)
    return RecoveryCodes(recovery_codes=codes)


# --- my data ---------------------------------------------------------------------------------


@console.get(
    "/export",
    response_model=IdentityExport,
    summary="Everything identity keeps about the signed-in account (JSON)",
)
async def export_my_data(session: SessionDep, deps: IdentityDeps, user: CurrentUser) -> IdentityExport:
    account = await profile.active_user(session, user)
    return IdentityExport(
        account=AccountExport(
            **me_public(account).model_dump(),
            email_verified_at=account.email_verified_at,
            updated_at=account.updated_at,
        ),
        sessions=await _sessions(session, user),
        two_step=await _two_step_status(session, deps, account),
    )


@console.post(
    "/close",
    status_code=204,
    responses=problem_responses(CURRENT_PASSWORD_WRONG, TWO_STEP_CODE_REQUIRED, TWO_STEP_CODE_WRONG, LOCKED),
    summary="Close the account: anonymised, signed out everywhere (password, and a code with two-step on)",
)
async def close_account(
    data: CloseAccountRequest,
    response: Response,
    session: SessionDep,
    deps: IdentityDeps,
    user: CurrentUser,
    client: ClientAddress,
) -> None:
    await closing.close_account(session, deps, user, data.password, data.code, client)
    clear_refresh_cookie(deps, response)


# --- the second step of sign-in ---------------------------------------------------------------


@second_step.post(
    "/login/two-step",
    response_model=TokenResponse,
    responses=problem_responses(TWO_STEP_CHALLENGE_INVALID, TWO_STEP_CODE_WRONG, LOCKED),
    summary="Finish signing in with the password step's challenge and a code",
)
async def sign_in_with_code(
    data: ChallengeCodeRequest,
    request: Request,
    session: SessionDep,
    deps: IdentityDeps,
    client: ClientAddress,
) -> Response:
    user_agent = request.headers.get("user-agent", "")
    pair = await two_step_sign_in.complete(session, deps, data.challenge, data.code, client, user_agent)
    return token_response(deps, pair)


@second_step.post(
    "/two-step/enrol",
    response_model=TwoStepEnrolment,
    responses=problem_responses(TWO_STEP_CHALLENGE_INVALID, CONFLICT),
    summary="Set up the authenticator the account's roles require, during sign-in",
)
async def enrol_during_sign_in(
    data: ChallengeRequest, session: SessionDep, deps: IdentityDeps
) -> TwoStepEnrolment:
    return _enrolment(await two_step_sign_in.start_enrolment(session, deps, data.challenge))


@second_step.post(
    "/two-step/enrol/confirm",
    response_model=EnrolledTokens,
    responses=problem_responses(TWO_STEP_CHALLENGE_INVALID, CONFLICT, TWO_STEP_CODE_WRONG, LOCKED),
    summary="Confirm the new authenticator with a first code and sign in",
)
async def confirm_enrolment_during_sign_in(
    data: ChallengeCodeRequest,
    request: Request,
    session: SessionDep,
    deps: IdentityDeps,
    client: ClientAddress,
) -> Response:
    user_agent = request.headers.get("user-agent", "")
    pair, codes = await two_step_sign_in.confirm_enrolment(
        session, deps, data.challenge, data.code, client, user_agent
    )
    return token_response(deps, pair, recovery_codes=codes)
