"""Building blocks the identity use cases share: their dependencies, events, single-use tokens, and the sliding-window limits of mail-sending actions."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.config import Settings
from services.identity.models import OneTimeToken, User
from services.identity.passwords import Passwords
from services.identity.problems import UNLOCK_INVALID, VERIFICATION_INVALID
from services.identity.signing import KeyRing
from shared import clock
from shared.events.base import Event
from shared.http.problems import RATE_LIMITED, Problem, ProblemType
from shared.outbox import add_event
from shared.ratelimit import allow

SOURCE = "identity"
HOUR = timedelta(hours=1)
VERIFY_PURPOSES = ("verify", "email_change")


@dataclass(frozen=True)
class Deps:
    """What the use cases need besides the session: settings, hashing, signing."""

    settings: Settings
    passwords: Passwords
    keyring: KeyRing


def now() -> datetime:
    return clock.now()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def emit(session: AsyncSession, event: Event) -> None:
    await add_event(session, event, source=SOURCE)


async def limit_address(session: AsyncSession, action: str, address: str, per_hour: int) -> None:
    wait = await allow(session, f"{action}:address:{address}", limit=per_hour, window=HOUR, now=now())
    if wait:
        raise Problem(
            RATE_LIMITED,
            detail=f"Too many requests from your network; try again in {wait // 60 + 1} minutes",
            headers={"Retry-After": str(wait)},
        )


async def account_allows(session: AsyncSession, action: str, user: User, per_hour: int) -> bool:
    key = f"{action}:account:{user.id}"
    return await allow(session, key, limit=per_hour, window=HOUR, now=now()) == 0


# --- one-time tokens -------------------------------------------------------------------------


async def new_one_time_token(
    session: AsyncSession, user: User, purpose: str, email: str, ttl: timedelta
) -> str:
    """A fresh single-use token; older unused ones of the same kind stop working."""
    moment = now()
    purposes = VERIFY_PURPOSES if purpose in VERIFY_PURPOSES else (purpose,)
    await session.execute(
        update(OneTimeToken)
        .where(
            col(OneTimeToken.user_id) == user.id,
            col(OneTimeToken.purpose).in_(purposes),
            col(OneTimeToken.used_at).is_(None),
            col(OneTimeToken.revoked_at).is_(None),
        )
        .values(revoked_at=moment)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        OneTimeToken(
            token_hash=hash_token(token),
            user_id=user.id,
            purpose=purpose,
            email=email,
            created_at=moment,
            expires_at=moment + ttl,
        )
    )
    await session.flush()
    return token


async def consume_token(
    session: AsyncSession, token: str, purposes: tuple[str, ...], invalid: ProblemType, expired: ProblemType
) -> OneTimeToken:
    """Mark the token used, atomically (two clicks racing: one wins, the other is refused)."""
    hashed = hash_token(token)
    row = await session.get(OneTimeToken, hashed)
    what = (
        "verification"
        if invalid is VERIFICATION_INVALID
        else "unlock"
        if invalid is UNLOCK_INVALID
        else "password reset"
    )
    if row is None or row.purpose not in purposes or row.used_at is not None or row.revoked_at is not None:
        raise Problem(invalid, detail=f"This link was already used or replaced; request a new {what} link")
    if row.expires_at <= now():
        raise Problem(expired, detail=f"The link expired; request a new {what} link")
    claimed = await session.execute(
        update(OneTimeToken)
        .where(
            col(OneTimeToken.token_hash) == hashed,
            col(OneTimeToken.used_at).is_(None),
            col(OneTimeToken.revoked_at).is_(None),
        )
        .values(used_at=now())
        .returning(col(OneTimeToken.token_hash))
    )
    if claimed.first() is None:
        raise Problem(invalid, detail=f"This link was already used; request a new {what} link")
    await session.refresh(row)
    return row
