"""Queries more than one use case needs: accounts by email, marking an address verified,
ending sessions, and housekeeping."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import events
from services.identity.core import emit, now
from services.identity.models import AuthSession, User
from services.identity.normalize import email_key
from shared.ratelimit import prune as prune_rate_events


async def user_by_email(session: AsyncSession, email: str, *, for_update: bool = False) -> User | None:
    query = select(User).where(User.email_key == email_key(email))
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def mark_verified(session: AsyncSession, user: User, verified_by: events.VerifiedBy) -> bool:
    """Set the verified time once; True (and UserVerified emitted) only the first time."""
    result = await session.execute(
        update(User)
        .where(col(User.id) == user.id, col(User.email_verified_at).is_(None))
        .values(email_verified_at=now(), updated_at=now())
        .returning(col(User.id))
    )
    if result.first() is None:
        return False
    await session.refresh(user)
    await emit(session, events.verified(user, verified_by))
    return True


async def end_sessions(session: AsyncSession, user_id: uuid.UUID, reason: str, *where: Any) -> None:
    """Revoke the user's live sessions matching `where` and tell every service, so that their
    access tokens stop working everywhere at once (SessionsRevoked), not when they expire."""
    query = (
        update(AuthSession)
        .where(col(AuthSession.user_id) == user_id, col(AuthSession.revoked_at).is_(None), *where)
        .values(revoked_at=now(), revoked_reason=reason)
        .returning(col(AuthSession.id))
    )
    ended = list((await session.execute(query)).scalars())
    if ended:
        await emit(session, events.sessions_revoked(user_id, ended, reason))


async def revoke_sessions(
    session: AsyncSession, user_id: uuid.UUID, reason: str, *, keep: uuid.UUID | None = None
) -> None:
    await end_sessions(session, user_id, reason, *([col(AuthSession.id) != keep] if keep else []))


async def prune(session: AsyncSession) -> None:
    """Housekeeping: old rate-limit rows and long-dead tokens."""
    moment = now()
    await prune_rate_events(session, moment - timedelta(days=1))
    await session.execute(
        text("DELETE FROM one_time_tokens WHERE expires_at < :t"), {"t": moment - timedelta(days=30)}
    )
    await session.execute(
        text("DELETE FROM refresh_tokens WHERE expires_at < :t"), {"t": moment - timedelta(days=1)}
    )
    await session.execute(
        text("DELETE FROM mail_requests WHERE processed_at < :t"), {"t": moment - timedelta(days=1)}
    )
