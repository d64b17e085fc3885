"""Building blocks the identity use cases share: their dependencies, the outbox, one-time
links, and the sliding-window limits of mail-sending actions."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.config import Settings
from services.identity.models import OneTimeToken, Purpose, User
from services.identity.passwords import Passwords
from services.identity.problems import (
    RESET_EXPIRED,
    RESET_INVALID,
    UNLOCK_EXPIRED,
    UNLOCK_INVALID,
    VERIFICATION_EXPIRED,
    VERIFICATION_INVALID,
)
from services.identity.signing import KeyRing
from services.identity.texts import (
    RESET_LINK_EXPIRED,
    RESET_LINK_USED,
    TOO_MANY_FROM_NETWORK,
    UNLOCK_LINK_EXPIRED,
    UNLOCK_LINK_USED,
    VERIFICATION_LINK_EXPIRED,
    VERIFICATION_LINK_USED,
)
from shared import clock
from shared.events.base import Event
from shared.http.problems import RATE_LIMITED, Problem, ProblemType
from shared.messages import Text
from shared.outbox import add_event
from shared.ratelimit import allow

SOURCE = "identity"
HOUR = timedelta(hours=1)


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
            detail=TOO_MANY_FROM_NETWORK(minutes=wait // 60 + 1),
            headers={"Retry-After": str(wait)},
        )


async def account_allows(session: AsyncSession, action: str, user: User, per_hour: int) -> bool:
    key = f"{action}:account:{user.id}"
    return await allow(session, key, limit=per_hour, window=HOUR, now=now()) == 0


# --- one-time links --------------------------------------------------------------------------

# A verification link confirms an address, the account's own (`verify`) or a new one it asked
# for (`email_change`); a new one of either replaces the other.
LinkKind = Literal["verification", "reset", "unlock"]


@dataclass(frozen=True)
class _Kind:
    page: str  # the portal page that reads the token from the link and posts it back
    purposes: tuple[Purpose, ...]
    invalid: ProblemType
    expired: ProblemType
    used_text: Text
    expired_text: Text


_KINDS: dict[LinkKind, _Kind] = {
    "verification": _Kind(
        "verify",
        ("verify", "email_change"),
        VERIFICATION_INVALID,
        VERIFICATION_EXPIRED,
        VERIFICATION_LINK_USED,
        VERIFICATION_LINK_EXPIRED,
    ),
    "reset": _Kind(
        "reset-password", ("reset",), RESET_INVALID, RESET_EXPIRED, RESET_LINK_USED, RESET_LINK_EXPIRED
    ),
    "unlock": _Kind(
        "unlock", ("unlock",), UNLOCK_INVALID, UNLOCK_EXPIRED, UNLOCK_LINK_USED, UNLOCK_LINK_EXPIRED
    ),
}
_KIND_OF: dict[Purpose, LinkKind] = {
    "verify": "verification",
    "email_change": "verification",
    "reset": "reset",
    "unlock": "unlock",
}


@dataclass(frozen=True)
class OneTimeLink:
    url: str
    ttl: timedelta

    @property
    def hours(self) -> int:
        return int(self.ttl.total_seconds()) // 3600

    @property
    def minutes(self) -> int:
        return int(self.ttl.total_seconds()) // 60


def _lifetime(settings: Settings, kind: LinkKind) -> timedelta:
    if kind == "reset":
        return timedelta(minutes=settings.reset_ttl_minutes)
    if kind == "unlock":
        return timedelta(hours=settings.unlock_ttl_hours)
    return timedelta(hours=settings.verification_ttl_hours)


async def new_link(
    session: AsyncSession, settings: Settings, user: User, purpose: Purpose, email: str
) -> OneTimeLink:
    """A link with a fresh single-use token, mailed to `email`; older unused links of the same
    kind stop working. Only the token's hash is stored."""
    kind = _KIND_OF[purpose]
    moment, ttl = now(), _lifetime(settings, kind)
    await session.execute(
        update(OneTimeToken)
        .where(
            col(OneTimeToken.user_id) == user.id,
            col(OneTimeToken.purpose).in_(_KINDS[kind].purposes),
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
    return OneTimeLink(f"{settings.public_url}/{_KINDS[kind].page}?token={token}", ttl)


async def pending_link(session: AsyncSession, token: str, kind: LinkKind) -> OneTimeToken | None:
    """The token's row if it is of this kind (used or not): to check input before spending it."""
    row = await session.get(OneTimeToken, hash_token(token))
    return row if row is not None and row.purpose in _KINDS[kind].purposes else None


async def use_link(session: AsyncSession, token: str, kind: LinkKind) -> OneTimeToken:
    """Mark the link's token used, atomically (two clicks racing: one wins, the other is refused)."""
    spec = _KINDS[kind]
    hashed = hash_token(token)
    row = await session.get(OneTimeToken, hashed)
    if (
        row is None
        or row.purpose not in spec.purposes
        or row.used_at is not None
        or row.revoked_at is not None
    ):
        raise Problem(spec.invalid, detail=spec.used_text())
    if row.expires_at <= now():
        raise Problem(spec.expired, detail=spec.expired_text())
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
        raise Problem(spec.invalid, detail=spec.used_text())  # the other click won
    await session.refresh(row)
    return row
