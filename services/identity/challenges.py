"""The password step's answer when a second step follows: a short-lived signed challenge, not
a session. It names the account and the moment it expires, and is bound to the password hash,
so changing or resetting the password voids every challenge still out. Nothing is stored."""

import hashlib
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.core import Deps
from services.identity.models import User
from services.identity.problems import TWO_STEP_CHALLENGE_INVALID
from services.identity.texts import SIGN_IN_AGAIN
from shared import clock, signing
from shared.http.problems import Problem

# `two_step`: enter a code from the app. `two_step_enrolment`: the account's roles require an
# authenticator it does not have yet; set one up before any session is issued.
Step = Literal["two_step", "two_step_enrolment"]
_PURPOSE = "identity/two-step-challenge"


@dataclass(frozen=True)
class Challenge:
    token: str
    step: Step
    expires_in: int


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def issue(deps: Deps, user: User, *, enrol: bool) -> Challenge:
    step: Step = "two_step_enrolment" if enrol else "two_step"
    ttl = deps.settings.two_step_challenge_seconds
    payload = {
        "sub": str(user.id),
        "exp": int(clock.timestamp()) + ttl,
        "step": step,
        "pw": _fingerprint(user),
    }
    return Challenge(signing.sign(deps.settings.secret_key, _PURPOSE, payload), step, ttl)


async def redeem(session: AsyncSession, deps: Deps, token: str, step: Step) -> User:
    """The account a valid, unexpired challenge of this step names (locked for the update)."""
    refused = Problem(TWO_STEP_CHALLENGE_INVALID, detail=SIGN_IN_AGAIN())
    payload = signing.unsign(deps.settings.secret_key, _PURPOSE, token)
    if payload is None or payload.get("step") != step or not isinstance(payload.get("exp"), int):
        raise refused
    if payload["exp"] <= clock.timestamp():
        raise refused
    try:
        user_id = uuid.UUID(str(payload.get("sub")))
    except ValueError as error:
        raise refused from error
    user = await session.get(User, user_id, with_for_update=True)
    if user is None or user.disabled_at is not None or payload.get("pw") != _fingerprint(user):
        raise refused
    return user
