"""The second step of sign-in: a challenge from the password step plus a code makes a session.
An account whose roles require two-step sign-in but that has no authenticator yet sets one up
with its challenge first, and its session starts when the first code confirms it."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import challenges, events, limits, sign_in, two_step
from services.identity.core import Deps, emit


async def complete(
    session: AsyncSession, deps: Deps, challenge: str, code: str, client: str, user_agent: str
) -> sign_in.TokenPair:
    user = await challenges.redeem(session, deps, challenge, "two_step")
    if await two_step.verify_second_factor(session, deps, user, code, client) == "recovery":
        # A recovery code signs in when the authenticator is lost, or when someone else has it.
        left = await two_step.recovery_codes_left(session, user.id)
        await emit(session, events.two_step_changed(user, "recovery_code_used", left))
    await limits.clear_account(session, user.email_key)  # both steps right: as a sign-in does
    return await sign_in.start_session(session, deps, user, client, user_agent)


async def start_enrolment(session: AsyncSession, deps: Deps, challenge: str) -> two_step.Enrolment:
    user = await challenges.redeem(session, deps, challenge, "two_step_enrolment")
    return await two_step.start(session, deps, user)


async def confirm_enrolment(
    session: AsyncSession, deps: Deps, challenge: str, code: str, client: str, user_agent: str
) -> tuple[sign_in.TokenPair, list[str]]:
    user = await challenges.redeem(session, deps, challenge, "two_step_enrolment")
    codes = await two_step.confirm(session, deps, user, code, client)
    return await sign_in.start_session(session, deps, user, client, user_agent), codes
