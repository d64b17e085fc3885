"""Identity use cases: one function per action. They flush, never commit: the request
dependency (or the CLI's transaction) owns the transaction. Events go through the outbox.

Answers must not reveal whether an email has an account: register, resend and forgot answer
the same way either way, and login refuses a wrong email exactly like a wrong password.
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import limits
from services.identity.config import Settings
from services.identity.models import AuditEntry, AuthSession, OneTimeToken, RefreshToken, User
from services.identity.normalize import email_key
from services.identity.passwords import Passwords, policy_violations
from services.identity.problems import (
    ACCOUNT_DISABLED,
    CURRENT_PASSWORD_WRONG,
    EMAIL_NOT_VERIFIED,
    EMAIL_TAKEN,
    INVALID_CREDENTIALS,
    INVALID_REFRESH_TOKEN,
    LOCKED,
    OWN_ROLES,
    RESET_EXPIRED,
    RESET_INVALID,
    VERIFICATION_EXPIRED,
    VERIFICATION_INVALID,
)
from services.identity.schemas import MeUpdate, RegisterRequest
from services.identity.signing import KeyRing
from shared import clock
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
from shared.events.base import Event
from shared.http.problems import NOT_FOUND, RATE_LIMITED, UNAUTHORIZED, VALIDATION, Problem, ProblemType
from shared.outbox import add_event

SOURCE = "identity"
HOUR = timedelta(hours=1)
VERIFY_PURPOSES = ("verify", "email_change")


@dataclass(frozen=True)
class Deps:
    """What the use cases need besides the session: settings, hashing, signing."""

    settings: Settings
    passwords: Passwords
    keyring: KeyRing


@dataclass(frozen=True)
class Refusal:
    """A refusal whose side effects (a counted failure, a revoked family) must be committed,
    so it is returned to the route instead of raised (raising rolls the transaction back)."""

    problem: ProblemType
    detail: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_max_age: int


def now() -> datetime:
    return clock.now()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _emit(session: AsyncSession, event: Event) -> None:
    await add_event(session, event, source=SOURCE)


async def _user_by_email(session: AsyncSession, email: str, *, for_update: bool = False) -> User | None:
    query = select(User).where(User.email_key == email_key(email))
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def _limit_address(session: AsyncSession, action: str, address: str, per_hour: int) -> None:
    wait = await limits.allow(session, f"{action}:address:{address}", limit=per_hour, window=HOUR, now=now())
    if wait:
        raise Problem(
            RATE_LIMITED,
            detail=f"Too many requests from your network; try again in {wait // 60 + 1} minutes",
            headers={"Retry-After": str(wait)},
        )


async def _account_allows(session: AsyncSession, action: str, user: User, per_hour: int) -> bool:
    key = f"{action}:account:{user.id}"
    return await limits.allow(session, key, limit=per_hour, window=HOUR, now=now()) == 0


# --- one-time tokens -------------------------------------------------------------------------


async def _new_one_time_token(
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
            token_hash=_hash_token(token),
            user_id=user.id,
            purpose=purpose,
            email=email,
            created_at=moment,
            expires_at=moment + ttl,
        )
    )
    await session.flush()
    return token


async def _consume_token(
    session: AsyncSession, token: str, purposes: tuple[str, ...], invalid: ProblemType, expired: ProblemType
) -> OneTimeToken:
    """Mark the token used, atomically (two clicks racing: one wins, the other is refused)."""
    hashed = _hash_token(token)
    row = await session.get(OneTimeToken, hashed)
    what = "verification" if invalid is VERIFICATION_INVALID else "password reset"
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


def _verify_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/verify?token={token}"


def _reset_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/reset-password?token={token}"


async def _send_verification(session: AsyncSession, deps: Deps, user: User, reason: str, email: str) -> None:
    hours = deps.settings.verification_ttl_hours
    purpose = "email_change" if reason == "email_change" else "verify"
    token = await _new_one_time_token(session, user, purpose, email, timedelta(hours=hours))
    await _emit(
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
    await _emit(
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
    await _limit_address(session, "register", client, settings.register_per_address_per_hour)
    existing = await _user_by_email(session, data.email)
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
            existing = await _user_by_email(session, data.email)
        else:
            await _emit(
                session, UserRegistered(user_id=user.id, email=user.email, name=user.name, locale=user.locale)
            )
            await _send_verification(session, deps, user, "register", user.email)
            return
    # The account exists: tell the owner (not the caller).
    if existing is not None and await _account_allows(
        session, "exists-notice", existing, settings.exists_notice_per_account_per_hour
    ):
        await _emit(
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
    row = await _consume_token(session, token, VERIFY_PURPOSES, VERIFICATION_INVALID, VERIFICATION_EXPIRED)
    user = await session.get(User, row.user_id, with_for_update=True)
    assert user is not None
    if row.purpose == "email_change":
        await _apply_email_change(session, user, row.email)
    else:
        await _mark_verified(session, user, "link")


async def _apply_email_change(session: AsyncSession, user: User, new_email: str) -> None:
    taken = await _user_by_email(session, new_email)
    if taken is not None and taken.id != user.id:
        raise Problem(EMAIL_TAKEN, detail="Another account uses this address now; choose a different one")
    previous = user.email
    user.email, user.email_key, user.updated_at = new_email, new_email.lower(), now()
    session.add(user)
    await session.flush()
    await _emit(session, _profile_event(user, previous_email=previous))
    # Confirming the new address also proves it; an unverified account becomes verified.
    await _mark_verified(session, user, "link")


async def resend_verification(session: AsyncSession, deps: Deps, email: str, client: str) -> None:
    settings = deps.settings
    await _limit_address(session, "resend", client, settings.resend_per_address_per_hour)
    user = await _user_by_email(session, email, for_update=True)
    if user is None or user.email_verified_at is not None or user.disabled_at is not None:
        return
    if await _account_allows(session, "resend", user, settings.resend_per_account_per_hour):
        await _send_verification(session, deps, user, "resend", user.email)


# --- sign-in and sessions --------------------------------------------------------------------


def _lock_policy(settings: Settings, max_failures: int) -> limits.LockPolicy:
    return limits.LockPolicy(
        max_failures=max_failures,
        lock=timedelta(minutes=settings.login_lock_minutes),
        max_lock=timedelta(minutes=settings.login_max_lock_minutes),
        failure_window=timedelta(minutes=settings.login_failure_window_minutes),
    )


def _locked(wait: int) -> Refusal:
    minutes = wait // 60 + 1
    return Refusal(
        LOCKED,
        f"Sign-in is locked for about {minutes} minutes after repeated failures. Wait, or reset your "
        "password with 'Forgot password'.",
        {"Retry-After": str(wait)},
    )


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
    is held while argon2 works: a burst of sign-ins must not drain the connection pool."""
    settings = deps.settings
    account, address = limits.account_key(email_key(email)), limits.address_key(client)
    async with reader() as read:
        wait = await limits.locked_for(read, [account, address], now())
        found = None if wait else await _user_by_email(read, email)
        user_id, stored_hash = (found.id, found.password_hash) if found else (None, None)
    if wait:
        return _locked(wait)
    if stored_hash is None:
        await deps.passwords.burn_time(password)
        password_ok = False
    else:
        password_ok = await deps.passwords.verify(stored_hash, password)
    user = await session.get(User, user_id) if password_ok and user_id else None
    if user is None:
        await limits.record_failure(
            session, account, _lock_policy(settings, settings.login_max_failures), now()
        )
        await limits.record_failure(
            session, address, _lock_policy(settings, settings.address_max_failures), now()
        )
        return Refusal(INVALID_CREDENTIALS, "Check the email address and password, or reset your password")
    await limits.clear(session, account)
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
            token_hash=_hash_token(refresh),
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
        await add_event(
            session, SessionsRevoked(user_id=user_id, session_ids=ended, reason=reason), source=SOURCE
        )


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
    row = await session.get(RefreshToken, _hash_token(token), with_for_update=True)
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
        row = await session.get(RefreshToken, _hash_token(refresh_token))
        session_id = row.session_id if row else None
    if session_id is None:
        return
    owner = await session.get(AuthSession, session_id)
    if owner is not None:
        await _end_sessions(session, owner.user_id, "logout", col(AuthSession.id) == session_id)


async def logout_all(session: AsyncSession, principal: Principal) -> None:
    await _revoke_sessions(session, principal.user_id, "logout_all")


# --- password reset --------------------------------------------------------------------------


async def forgot_password(session: AsyncSession, deps: Deps, email: str, client: str) -> None:
    settings = deps.settings
    await _limit_address(session, "forgot", client, settings.forgot_per_address_per_hour)
    user = await _user_by_email(session, email, for_update=True)
    if user is None or user.disabled_at is not None:
        return
    if not await _account_allows(session, "forgot", user, settings.forgot_per_account_per_hour):
        return
    minutes = settings.reset_ttl_minutes
    token = await _new_one_time_token(session, user, "reset", user.email, timedelta(minutes=minutes))
    await _emit(
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
    hashed = _hash_token(token)
    pending = await session.get(OneTimeToken, hashed)
    if pending is not None and pending.purpose == "reset":
        owner = await session.get(User, pending.user_id)
        assert owner is not None
        _check_policy(owner, password, "password")  # before spending the token
    row = await _consume_token(session, token, ("reset",), RESET_INVALID, RESET_EXPIRED)
    user = await session.get(User, row.user_id, with_for_update=True)
    assert user is not None
    user.password_hash = await deps.passwords.hash(password)
    user.updated_at = now()
    session.add(user)
    await _revoke_sessions(session, user.id, "password_reset")
    await limits.clear(session, limits.account_key(user.email_key))
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
        await _emit(session, _profile_event(user))
    return user


async def _require_password(deps: Deps, user: User, password: str) -> None:
    if not await deps.passwords.verify(user.password_hash, password):
        raise Problem(CURRENT_PASSWORD_WRONG, detail="Enter your current password to confirm")


async def request_email_change(
    session: AsyncSession, deps: Deps, principal: Principal, new_email: str, password: str
) -> None:
    """Mail a link to the new address; the address changes only when that link is opened.
    An address that belongs to another account gets nothing (and the answer is the same)."""
    user = await active_user(session, principal)
    await _require_password(deps, user, password)
    taken = await _user_by_email(session, new_email)
    if taken is not None:
        return
    await _send_verification(session, deps, user, "email_change", new_email)


async def change_password(
    session: AsyncSession, deps: Deps, principal: Principal, current: str, new: str
) -> None:
    user = await active_user(session, principal)
    await _require_password(deps, user, current)
    _check_policy(user, new, "new_password")
    user.password_hash = await deps.passwords.hash(new)
    user.updated_at = now()
    session.add(user)
    keep = uuid.UUID(principal.session_id) if principal.session_id else None
    await _revoke_sessions(session, user.id, "password_changed", keep=keep)


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
    throttle = await limits.throttle_state(session, limits.account_key(user.email_key))
    locked_until = (
        throttle.locked_until
        if throttle and throttle.locked_until and throttle.locked_until > now()
        else None
    )
    sessions = (
        await session.exec(
            select(func.count()).where(
                col(AuthSession.user_id) == user.id, col(AuthSession.revoked_at).is_(None)
            )
        )
    ).one()
    return UserDetail(user, locked_until, throttle.failures if throttle else 0, sessions)


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
        await _emit(session, _profile_event(user))
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
    await limits.clear(session, limits.account_key(user.email_key))
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
    user = await _user_by_email(session, email, for_update=True)
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
        await _emit(
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
    user = await _user_by_email(session, email)
    return user.id if user else None


async def prune(session: AsyncSession) -> None:
    """Housekeeping: old rate-limit rows and long-dead tokens."""
    moment = now()
    await limits.prune_rate_events(session, moment - timedelta(days=1))
    await session.execute(
        text("DELETE FROM one_time_tokens WHERE expires_at < :t"), {"t": moment - timedelta(days=30)}
    )
    await session.execute(
        text("DELETE FROM refresh_tokens WHERE expires_at < :t"), {"t": moment - timedelta(days=1)}
    )
