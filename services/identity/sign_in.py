"""Customer-facing sign-in: sign in, rotate refresh tokens, sign out.

Login refuses a wrong email exactly like a wrong password, so it reveals no account."""

import asyncio
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import challenges, guessing, limits, two_step
from services.identity.core import Deps, hash_token, now
from services.identity.models import AuthSession, RefreshToken, User
from services.identity.normalize import email_key
from services.identity.problems import (
    ACCOUNT_DISABLED,
    EMAIL_NOT_VERIFIED,
    INVALID_CREDENTIALS,
    INVALID_REFRESH_TOKEN,
)
from services.identity.repository import end_sessions, revoke_sessions, user_by_email
from services.identity.texts import (
    ASK_TO_ENABLE,
    CHECK_CREDENTIALS,
    REFRESH_TOKEN_REUSED,
    SEND_REFRESH_TOKEN,
    SIGN_IN_AGAIN,
    VERIFY_FIRST,
)
from shared.auth import Principal
from shared.http.problems import Problem


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_max_age: int


async def login(
    session: AsyncSession,
    deps: Deps,
    email: str,
    password: str,
    client: str,
    user_agent: str,
    reader: async_sessionmaker[AsyncSession],
) -> TokenPair | challenges.Challenge:
    """`reader` serves the lookups in a short session of their own, so no database connection
    is held while argon2 works (or a backoff waits): a burst of sign-ins must not drain the pool."""
    key = email_key(email)
    async with reader() as read:
        state = await limits.guess_state(read, key, client, guessing.backoff_policy(deps.settings), now())
        found = None if state.locked_for else await user_by_email(read, email)
        user_id, stored_hash = (found.id, found.password_hash) if found else (None, None)
    if state.locked_for:
        raise guessing.locked(state.locked_for)
    if state.backoff_seconds:
        await asyncio.sleep(state.backoff_seconds)
    if stored_hash is None:
        await deps.passwords.burn_time(password)
        password_ok = False
    else:
        password_ok = await deps.passwords.verify(stored_hash, password)
    user = await session.get(User, user_id) if password_ok and user_id else None
    if user is None:
        await guessing.count_wrong_password(session, deps, key, client, user_id)
        raise Problem(
            INVALID_CREDENTIALS,
            detail=CHECK_CREDENTIALS(),
            keep_changes=True,  # the counted failure
        )
    second_step = await two_step.is_enabled(session, user.id)
    if not second_step:
        # With two-step sign-in the counters are cleared by the right code (two_step_sign_in):
        # the password alone must not wipe the count of wrong codes guessed after it.
        await limits.clear_account(session, key)
    if deps.passwords.needs_rehash(user.password_hash):
        user.password_hash = await deps.passwords.hash(password)
        session.add(user)
    if user.disabled_at is not None:
        raise Problem(
            ACCOUNT_DISABLED,
            detail=ASK_TO_ENABLE(),
            keep_changes=True,  # the right password cleared the counters
        )
    if user.email_verified_at is None:
        raise Problem(
            EMAIL_NOT_VERIFIED,
            keep_changes=True,
            detail=VERIFY_FIRST(),
        )
    if second_step or two_step.required_for(deps.settings.two_step_required_roles, user):
        # No session yet: the password only earns a short-lived challenge for the second step.
        return challenges.issue(deps, user, enrol=not second_step)
    return await start_session(session, deps, user, client, user_agent)


async def start_session(
    session: AsyncSession, deps: Deps, user: User, client: str, user_agent: str
) -> TokenPair:
    auth_session = AuthSession(
        user_id=user.id,
        client_address=client[:64],
        user_agent=user_agent[:300],
        created_at=now(),
        last_used_at=now(),
    )
    session.add(auth_session)
    await session.flush()
    return await _issue_tokens(session, deps, user, auth_session)


async def _issue_tokens(
    session: AsyncSession, deps: Deps, user: User, auth_session: AuthSession
) -> TokenPair:
    settings = deps.settings
    refresh = secrets.token_urlsafe(32)
    refresh_ttl = timedelta(hours=settings.refresh_token_ttl_hours)
    session.add(
        RefreshToken(
            token_hash=hash_token(refresh),
            session_id=auth_session.id,
            created_at=now(),
            expires_at=now() + refresh_ttl,
        )
    )
    await session.flush()
    access = await deps.keyring.sign_access_token(
        session,
        user_id=user.id,
        email=user.email,
        roles=user.roles,
        locale=user.locale,
        sid=auth_session.id,
        ttl=settings.access_token_ttl_seconds,
    )
    return TokenPair(access, refresh, settings.access_token_ttl_seconds, int(refresh_ttl.total_seconds()))


async def refresh(session: AsyncSession, deps: Deps, token: str | None) -> TokenPair:
    """Rotate: the presented token is spent and a new pair is returned. Presenting a spent token
    again means it was stolen (or the client is broken): the whole session family is revoked."""
    ended = Problem(INVALID_REFRESH_TOKEN, detail=SIGN_IN_AGAIN(), keep_changes=True)
    if not token:
        raise Problem(INVALID_REFRESH_TOKEN, detail=SEND_REFRESH_TOKEN())
    row = await session.get(RefreshToken, hash_token(token), with_for_update=True)
    if row is None:
        raise ended
    auth_session = await session.get(AuthSession, row.session_id, with_for_update=True)
    assert auth_session is not None
    if auth_session.revoked_at is not None or row.expires_at <= now():
        raise ended
    if row.rotated_at is not None:
        await end_sessions(
            session, auth_session.user_id, "refresh_token_reused", col(AuthSession.id) == auth_session.id
        )
        raise Problem(
            INVALID_REFRESH_TOKEN,
            keep_changes=True,  # the ended family
            detail=REFRESH_TOKEN_REUSED(),
        )
    user = await session.get(User, auth_session.user_id)
    assert user is not None
    if user.disabled_at is not None:
        await revoke_sessions(session, user.id, "disabled")
        raise ended
    row.rotated_at = now()
    auth_session.last_used_at = now()
    session.add_all([row, auth_session])
    return await _issue_tokens(session, deps, user, auth_session)


async def logout(session: AsyncSession, principal: Principal | None, refresh_token: str | None) -> None:
    """End one session, named by the access token's `sid` or by a refresh token."""
    session_id: uuid.UUID | None = None
    if principal is not None and principal.session_id:
        session_id = uuid.UUID(principal.session_id)
    elif refresh_token:
        row = await session.get(RefreshToken, hash_token(refresh_token))
        session_id = row.session_id if row else None
    if session_id is None:
        return
    owner = await session.get(AuthSession, session_id)
    if owner is not None:
        await end_sessions(session, owner.user_id, "logout", col(AuthSession.id) == session_id)


async def logout_all(session: AsyncSession, principal: Principal) -> None:
    await revoke_sessions(session, principal.user_id, "logout_all")
