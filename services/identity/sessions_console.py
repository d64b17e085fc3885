"""The signed-in user's own sessions: list them, end one, end all but this one.

A session is listed while it can still be refreshed (not ended, and its newest refresh token
unspent and unexpired). Ending one goes through repository.end_sessions, which publishes
SessionsRevoked: every service refuses its access tokens at once, and its refresh fails."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import devices
from services.identity.core import now
from services.identity.models import AuthSession, RefreshToken
from services.identity.profile import active_user
from services.identity.repository import end_sessions, revoke_sessions
from services.identity.texts import NO_SUCH_SESSION
from shared.auth import Principal
from shared.http.problems import NOT_FOUND, Problem


@dataclass(frozen=True)
class LiveSession:
    id: uuid.UUID
    device: devices.Device
    address: str
    created_at: datetime
    last_used_at: datetime
    current: bool


def _current(principal: Principal) -> uuid.UUID | None:
    return uuid.UUID(principal.session_id) if principal.session_id else None


async def list_sessions(session: AsyncSession, principal: Principal) -> list[LiveSession]:
    await active_user(session, principal)
    refreshable = exists().where(
        col(RefreshToken.session_id) == col(AuthSession.id),
        col(RefreshToken.rotated_at).is_(None),
        col(RefreshToken.expires_at) > now(),
    )
    rows = await session.exec(
        select(AuthSession)
        .where(
            col(AuthSession.user_id) == principal.user_id,
            col(AuthSession.revoked_at).is_(None),
            refreshable,
        )
        .order_by(col(AuthSession.last_used_at).desc())
    )
    current = _current(principal)
    return [
        LiveSession(
            id=row.id,
            device=devices.describe(row.user_agent),
            address=row.client_address,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            current=row.id == current,
        )
        for row in rows
    ]


async def end_session(session: AsyncSession, principal: Principal, session_id: uuid.UUID) -> None:
    """Someone else's session answers exactly like one that does not exist (404): the id
    tells nothing about other accounts."""
    await active_user(session, principal)
    owned = await session.get(AuthSession, session_id)
    if owned is None or owned.user_id != principal.user_id or owned.revoked_at is not None:
        raise Problem(NOT_FOUND, detail=NO_SUCH_SESSION())
    await end_sessions(session, principal.user_id, "signed_out_remotely", col(AuthSession.id) == session_id)


async def end_other_sessions(session: AsyncSession, principal: Principal) -> None:
    await active_user(session, principal)
    await revoke_sessions(session, principal.user_id, "signed_out_others", keep=_current(principal))
