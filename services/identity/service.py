"""Identity use cases: one function per action. They flush, never commit: the request
dependency (or the CLI's transaction) owns the transaction. Events go through the outbox.

Answers must not reveal whether an email has an account: register, resend and forgot answer
the same way either way, and login refuses a wrong email exactly like a wrong password.
"""

import asyncio
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, or_, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import guessing, limits
from services.identity.config import Settings
from services.identity.core import (
    VERIFY_PURPOSES,
    Deps,
    Refusal,
    account_allows,
    consume_token,
    emit,
    hash_token,
    limit_address,
    new_one_time_token,
    now,
    user_by_email,
)
from services.identity.models import AuditEntry, AuthSession, MailRequest, OneTimeToken, RefreshToken, User
from services.identity.normalize import email_key
from services.identity.passwords import policy_violations
from services.identity.problems import (
    ACCOUNT_DISABLED,
    CURRENT_PASSWORD_WRONG,
    EMAIL_NOT_VERIFIED,
    EMAIL_TAKEN,
    INVALID_CREDENTIALS,
    INVALID_REFRESH_TOKEN,
    OWN_ROLES,
    RESET_EXPIRED,
    RESET_INVALID,
    VERIFICATION_EXPIRED,
    VERIFICATION_INVALID,
)
from services.identity.schemas import MeUpdate, RegisterRequest
from shared.auth import Principal
from shared.events import (
    AccountExistsNotice,
    PasswordResetRequested,
    SessionsRevoked,
    UserProfileChanged,
    UserRegistered,
    UserVerified,
    VerificationRequested,
)
from shared.http.problems import NOT_FOUND, UNAUTHORIZED, VALIDATION, Problem
from shared.ratelimit import prune as prune_rate_events


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_max_age: int


def _verify_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/verify?token={token}"


def _reset_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/reset-password?token={token}"


async def _send_verification(session: AsyncSession, deps: Deps, user: User, reason: str, email: str) -> None:
    hours = deps.settings.verification_ttl_hours
    purpose = "email_change" if reason == "email_change" else "verify"
    token = await new_one_time_token(session, user, purpose, email, timedelta(hours=hours))
    await emit(
        session,
        VerificationRequested(
            user_id=user.id,
            email=email,
            name=user.name,
            locale=user.locale,
            verify_url=_verify_url(deps.settings, token),
            expires_in_hours=hours,
            reason=reason,  # type: ignore[arg-type]
        ),
    )


async def _mark_verified(session: AsyncSession, user: User, verified_by: str) -> bool:
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
    await emit(
        session,
        UserVerified(
            user_id=user.id,
            email=user.email,
            name=user.name,
            locale=user.locale,
            verified_by=verified_by,  # type: ignore[arg-type]
        ),
    )
    return True


# --- registration and verification -----------------------------------------------------------


async def register(session: AsyncSession, deps: Deps, data: RegisterRequest, client: str) -> None:
    settings = deps.settings
    # Hash first, whether or not the account exists: equal timing, and no connection is held
    # while argon2 works.
    password_hash = await deps.passwords.hash(data.password)
    await limit_address(session, "register", client, settings.register_per_address_per_hour)
    existing = await user_by_email(session, data.email)
    if existing is None:
        moment = now()
        user = User(
            name=data.name,
            phone=data.phone,
            email=data.email,
            email_key=data.email.lower(),
            locale=data.locale,
            password_hash=password_hash,
            roles=["customer"],
            created_at=moment,
            updated_at=moment,
        )
        try:
            async with session.begin_nested():
                session.add(user)
                await session.flush()
        except IntegrityError:  # registered concurrently a moment ago: same answer as below
            existing = await user_by_email(session, data.email)
        else:
            await emit(
                session, UserRegistered(user_id=user.id, email=user.email, name=user.name, locale=user.locale)
            )
            await _send_verification(session, deps, user, "register", user.email)
            return
    # The account exists: tell the owner (not the caller).
    if existing is not None and await account_allows(
        session, "exists-notice", existing, settings.exists_notice_per_account_per_hour
    ):
        await emit(
            session,
            AccountExistsNotice(
                user_id=existing.id,
                email=existing.email,
                name=existing.name,
                locale=existing.locale,
                sign_in_url=f"{settings.public_url}/login",
                reset_url=f"{settings.public_url}/forgot-password",
            ),
        )


async def verify_email(session: AsyncSession, token: str) -> None:
    row = await consume_token(session, token, VERIFY_PURPOSES, VERIFICATION_INVALID, VERIFICATION_EXPIRED)
    user = await session.get(User, row.user_id, with_for_update=True)
    assert user is not None
    if row.purpose == "email_change":
        await _apply_email_change(session, user, row.email)
    else:
        await _mark_verified(session, user, "link")


async def _apply_email_change(session: AsyncSession, user: User, new_email: str) -> None:
    taken = await user_by_email(session, new_email)
    if taken is not None and taken.id != user.id:
        raise Problem(EMAIL_TAKEN, detail="Another account uses this address now; choose a different one")
    previous = user.email
    user.email, user.email_key, user.updated_at = new_email, new_email.lower(), now()
    session.add(user)
    await session.flush()
    await emit(session, _profile_event(user, previous_email=previous))
    # Confirming the new address also proves it; an unverified account becomes verified.
    await _mark_verified(session, user, "link")


async def queue_mail_request(
    session: AsyncSession, settings: Settings, kind: Literal["forgot", "resend"], email: str, client: str
) -> None:
    """'Forgot password' and 'resend verification' answer before any account-dependent work:
    the request is queued alike for every address (the background worker in mail_requests.py
    looks the account up), so neither the answer nor its timing tells whether an account exists."""
    per_hour = (
        settings.forgot_per_address_per_hour if kind == "forgot" else settings.resend_per_address_per_hour
    )
    await limit_address(session, kind, client, per_hour)
    session.add(MailRequest(kind=kind, email=email, created_at=now()))
    await session.flush()


async def resend_verification(session: AsyncSession, deps: Deps, email: str) -> None:
    """A queued 'resend' (mail_requests.py): a new link if the account still waits for one."""
    settings = deps.settings
    user = await user_by_email(session, email, for_update=True)
    if user is None or user.email_verified_at is not None or user.disabled_at is not None:
        return
    if await account_allows(session, "resend", user, settings.resend_per_account_per_hour):
        await _send_verification(session, deps, user, "resend", user.email)


# --- sign-in and sessions --------------------------------------------------------------------


async def login(
    session: AsyncSession,
    deps: Deps,
    email: str,
    password: str,
    client: str,
    user_agent: str,
    reader: async_sessionmaker[AsyncSession],
) -> TokenPair | Refusal:
    """`reader` serves the lookups in a short session of their own, so no database connection
    is held while argon2 works (or a backoff waits): a burst of sign-ins must not drain the pool."""
    key = email_key(email)
    async with reader() as read:
        state = await limits.guess_state(read, key, client, guessing.backoff_policy(deps.settings), now())
        found = None if state.locked_for else await user_by_email(read, email)
        user_id, stored_hash = (found.id, found.password_hash) if found else (None, None)
    if state.locked_for:
        return guessing.locked(state.locked_for)
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
        return Refusal(INVALID_CREDENTIALS, "Check the email address and password, or reset your password")
    await limits.clear_account(session, key)
    if deps.passwords.needs_rehash(user.password_hash):
        user.password_hash = await deps.passwords.hash(password)
        session.add(user)
    if user.disabled_at is not None:
        return Refusal(ACCOUNT_DISABLED, "Contact support or your sales representative to enable it")
    if user.email_verified_at is None:
        return Refusal(
            EMAIL_NOT_VERIFIED,
            "Open the link in the verification mail we sent you. No mail? You can resend it from the "
            "sign-in page, or ask your sales representative to verify your account.",
        )
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
        sid=auth_session.id,
        ttl=settings.access_token_ttl_seconds,
    )
    return TokenPair(access, refresh, settings.access_token_ttl_seconds, int(refresh_ttl.total_seconds()))


async def _end_sessions(session: AsyncSession, user_id: uuid.UUID, reason: str, *where: Any) -> None:
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
        await emit(session, SessionsRevoked(user_id=user_id, session_ids=ended, reason=reason))


async def _revoke_sessions(
    session: AsyncSession, user_id: uuid.UUID, reason: str, *, keep: uuid.UUID | None = None
) -> None:
    await _end_sessions(session, user_id, reason, *([col(AuthSession.id) != keep] if keep else []))


async def refresh(session: AsyncSession, deps: Deps, token: str | None) -> TokenPair | Refusal:
    """Rotate: the presented token is spent and a new pair is returned. Presenting a spent token
    again means it was stolen (or the client is broken): the whole session family is revoked."""
    ended = Refusal(INVALID_REFRESH_TOKEN, "Sign in again")
    if not token:
        return Refusal(
            INVALID_REFRESH_TOKEN, "Send the refresh token (JSON body or cookie), or sign in again"
        )
    row = await session.get(RefreshToken, hash_token(token), with_for_update=True)
    if row is None:
        return ended
    auth_session = await session.get(AuthSession, row.session_id, with_for_update=True)
    assert auth_session is not None
    if auth_session.revoked_at is not None or row.expires_at <= now():
        return ended
    if row.rotated_at is not None:
        await _end_sessions(
            session, auth_session.user_id, "refresh_token_reused", col(AuthSession.id) == auth_session.id
        )
        return Refusal(
            INVALID_REFRESH_TOKEN,
            "This refresh token was already used, so the session was ended for safety; sign in again",
        )
    user = await session.get(User, auth_session.user_id)
    assert user is not None
    if user.disabled_at is not None:
        await _revoke_sessions(session, user.id, "disabled")
        return ended
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
        await _end_sessions(session, owner.user_id, "logout", col(AuthSession.id) == session_id)


async def logout_all(session: AsyncSession, principal: Principal) -> None:
    await _revoke_sessions(session, principal.user_id, "logout_all")


# --- password reset --------------------------------------------------------------------------


async def forgot_password(session: AsyncSession, deps: Deps, email: str) -> None:
    """A queued 'forgot' (mail_requests.py): a reset link if the account exists and may get one."""
    settings = deps.settings
    user = await user_by_email(session, email, for_update=True)
    if user is None or user.disabled_at is not None:
        return
    if not await account_allows(session, "forgot", user, settings.forgot_per_account_per_hour):
        return
    minutes = settings.reset_ttl_minutes
    token = await new_one_time_token(session, user, "reset", user.email, timedelta(minutes=minutes))
    await emit(
        session,
        PasswordResetRequested(
            user_id=user.id,
            email=user.email,
            name=user.name,
            locale=user.locale,
            reset_url=_reset_url(settings, token),
            expires_in_minutes=minutes,
        ),
    )


def _check_policy(user: User, password: str, field_name: str) -> None:
    problems = policy_violations(password, email=user.email, name=user.name)
    if problems:
        raise Problem(
            VALIDATION,
            detail="Choose a different password",
            errors=[{"field": field_name, "message": "; ".join(problems), "code": "password_policy"}],
        )


async def reset_password(session: AsyncSession, deps: Deps, token: str, password: str) -> None:
    hashed = hash_token(token)
    pending = await session.get(OneTimeToken, hashed)
    if pending is not None and pending.purpose == "reset":
        owner = await session.get(User, pending.user_id)
        assert owner is not None
        _check_policy(owner, password, "password")  # before spending the token
    row = await consume_token(session, token, ("reset",), RESET_INVALID, RESET_EXPIRED)
    user = await session.get(User, row.user_id, with_for_update=True)
    assert user is not None
    user.password_hash = await deps.passwords.hash(password)
    user.updated_at = now()
    session.add(user)
    await _revoke_sessions(session, user.id, "password_reset")
    await limits.clear_account(session, user.email_key)
    # The link reached the mailbox, which proves the address just as a verification link does.
    await _mark_verified(session, user, "link")


# --- the signed-in user ----------------------------------------------------------------------


async def active_user(session: AsyncSession, principal: Principal) -> User:
    """The caller's account, refusing a revoked session at once (other services wait for expiry)."""
    user = await session.get(User, principal.user_id)
    if user is None or user.disabled_at is not None:
        raise Problem(UNAUTHORIZED, detail="This account is not active; sign in again")
    if principal.session_id:
        auth_session = await session.get(AuthSession, uuid.UUID(principal.session_id))
        if auth_session is None or auth_session.revoked_at is not None:
            raise Problem(UNAUTHORIZED, detail="This session was ended; sign in again")
    return user


def _profile_event(user: User, previous_email: str | None = None) -> UserProfileChanged:
    return UserProfileChanged(
        user_id=user.id,
        email=user.email,
        name=user.name,
        locale=user.locale,
        previous_email=previous_email,
        disabled=user.disabled_at is not None,
    )


async def update_me(session: AsyncSession, principal: Principal, changes: MeUpdate) -> User:
    user = await active_user(session, principal)
    values = changes.model_dump(exclude_unset=True, exclude={"phone_region"})
    values = {k: v for k, v in values.items() if v is not None and getattr(user, k) != v}
    if values:
        for key, value in values.items():
            setattr(user, key, value)
        user.updated_at = now()
        session.add(user)
        await session.flush()
        await emit(session, _profile_event(user))
    return user


async def _require_password(
    session: AsyncSession, deps: Deps, user: User, password: str, client: str
) -> Refusal | None:
    """The current password, guarded like a sign-in: a stolen session must not become an
    unlimited password oracle. A refusal is returned so the counted failure commits."""
    refusal = await guessing.guess_allowed(session, deps.settings, user.email_key, client)
    if refusal is not None:
        return refusal
    if not await deps.passwords.verify(user.password_hash, password):
        await guessing.count_wrong_password(session, deps, user.email_key, client, user.id)
        return Refusal(CURRENT_PASSWORD_WRONG, "Enter your current password to confirm")
    return None


async def request_email_change(
    session: AsyncSession, deps: Deps, principal: Principal, new_email: str, password: str, client: str
) -> Refusal | None:
    """Mail a link to the new address; the address changes only when that link is opened.
    An address that belongs to another account gets nothing (and the answer is the same)."""
    user = await active_user(session, principal)
    refusal = await _require_password(session, deps, user, password, client)
    if refusal is not None:
        return refusal
    taken = await user_by_email(session, new_email)
    if taken is None:
        await _send_verification(session, deps, user, "email_change", new_email)
    return None


async def change_password(
    session: AsyncSession, deps: Deps, principal: Principal, current: str, new: str, client: str
) -> Refusal | None:
    user = await active_user(session, principal)
    refusal = await _require_password(session, deps, user, current, client)
    if refusal is not None:
        return refusal
    _check_policy(user, new, "new_password")
    user.password_hash = await deps.passwords.hash(new)
    user.updated_at = now()
    session.add(user)
    keep = uuid.UUID(principal.session_id) if principal.session_id else None
    await _revoke_sessions(session, user.id, "password_changed", keep=keep)
    return None


# --- staff -----------------------------------------------------------------------------------


async def _audit(
    session: AsyncSession,
    actor: Principal | None,
    action: str,
    target: uuid.UUID | None,
    reason: str,
    **details: object,
) -> None:
    session.add(
        AuditEntry(
            at=now(),
            actor_id=actor.user_id if actor else None,
            actor_email=(actor.email or str(actor.user_id)) if actor else "cli",
            action=action,
            target_user_id=target,
            reason=reason,
            details=details,
        )
    )
    await session.flush()


async def _target(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise Problem(NOT_FOUND, detail="No user has this id")
    return user


async def search_users(session: AsyncSession, q: str, limit: int, offset: int) -> tuple[list[User], int]:
    query = select(User)
    if q:
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(col(User.email_key).like(pattern), func.lower(User.name).like(pattern)))
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.order_by(col(User.created_at).desc()).limit(limit).offset(offset))
    return list(rows.all()), total


@dataclass(frozen=True)
class UserDetail:
    user: User
    locked_until: datetime | None
    recent_failures: int
    active_sessions: int


async def user_detail(session: AsyncSession, user_id: uuid.UUID) -> UserDetail:
    user = await session.get(User, user_id)
    if user is None:
        raise Problem(NOT_FOUND, detail="No user has this id")
    lock = await limits.account_lock(session, user.email_key, now())
    sessions = (
        await session.exec(
            select(func.count()).where(
                col(AuthSession.user_id) == user.id, col(AuthSession.revoked_at).is_(None)
            )
        )
    ).one()
    return UserDetail(user, lock.locked_until, lock.recent_failures, sessions)


async def staff_verify(
    session: AsyncSession, actor: Principal | None, user_id: uuid.UUID, reason: str
) -> UserDetail:
    user = await _target(session, user_id)
    changed = await _mark_verified(session, user, "staff")
    await _audit(session, actor, "verify", user.id, reason, changed=changed)
    return await user_detail(session, user.id)


async def set_disabled(
    session: AsyncSession, actor: Principal, user_id: uuid.UUID, disabled: bool, reason: str
) -> UserDetail:
    user = await _target(session, user_id)
    if disabled and user.id == actor.user_id:
        raise Problem(OWN_ROLES, detail="Ask another administrator to disable your account")
    changed = (user.disabled_at is not None) != disabled
    if changed:
        user.disabled_at = now() if disabled else None
        user.updated_at = now()
        session.add(user)
        await session.flush()
        if disabled:
            await _revoke_sessions(session, user.id, "disabled")
        await emit(session, _profile_event(user))
    await _audit(session, actor, "disable" if disabled else "enable", user.id, reason, changed=changed)
    return await user_detail(session, user.id)


async def set_roles(
    session: AsyncSession, actor: Principal, user_id: uuid.UUID, roles: list[str], reason: str
) -> UserDetail:
    user = await _target(session, user_id)
    wanted = sorted(set(roles))
    if user.id == actor.user_id and "admin" not in wanted:
        raise Problem(OWN_ROLES, detail="Ask another administrator to remove your admin role")
    before = sorted(user.roles)
    if before != wanted:
        user.roles = wanted
        user.updated_at = now()
        session.add(user)
        await session.flush()
    # Roles travel in access tokens: they apply at the next refresh (within the token lifetime).
    await _audit(session, actor, "set_roles", user.id, reason, before=before, after=wanted)
    return await user_detail(session, user.id)


async def unlock(session: AsyncSession, actor: Principal, user_id: uuid.UUID, reason: str) -> UserDetail:
    user = await _target(session, user_id)
    detail = await user_detail(session, user.id)
    await limits.clear_account(session, user.email_key)
    await _audit(
        session,
        actor,
        "unlock",
        user.id,
        reason,
        was_locked_until=detail.locked_until.isoformat() if detail.locked_until else None,
    )
    return await user_detail(session, user.id)


async def list_audit(
    session: AsyncSession, target: uuid.UUID | None, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    query = select(AuditEntry)
    if target is not None:
        query = query.where(col(AuditEntry.target_user_id) == target)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.order_by(col(AuditEntry.at).desc()).limit(limit).offset(offset))
    return list(rows.all()), total


# --- command line ----------------------------------------------------------------------------


async def create_or_update_user(
    session: AsyncSession,
    deps: Deps,
    *,
    email: str,
    name: str,
    phone: str,
    password: str,
    locale: str,
    roles: list[str] | None,
    verified: bool,
) -> uuid.UUID:
    """Idempotent seeding: a new account is created (events as for a registration); an existing
    one gets the given roles and, if asked, is verified. Validation is the caller's."""
    user = await user_by_email(session, email, for_update=True)
    if user is None:
        moment = now()
        user = User(
            name=name,
            phone=phone,
            email=email,
            email_key=email.lower(),
            locale=locale,  # type: ignore[arg-type]
            password_hash=await deps.passwords.hash(password),
            roles=sorted(set(roles or ["customer"])),
            created_at=moment,
            updated_at=moment,
        )
        session.add(user)
        await session.flush()
        await emit(
            session, UserRegistered(user_id=user.id, email=user.email, name=user.name, locale=user.locale)
        )
        if not verified:
            await _send_verification(session, deps, user, "register", user.email)
    elif roles is not None and sorted(set(roles)) != sorted(user.roles):
        user.roles = sorted(set(roles))
        user.updated_at = now()
        session.add(user)
        await session.flush()
    if verified and await _mark_verified(session, user, "staff"):
        await _audit(session, None, "verify", user.id, "create-user --verified", changed=True)
    return user.id


async def user_id_by_email(session: AsyncSession, email: str) -> uuid.UUID | None:
    user = await user_by_email(session, email)
    return user.id if user else None


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
