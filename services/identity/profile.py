"""Customer-facing use cases of the signed-in user: the profile, and changing the email
address or the password (both confirmed with the current password)."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import events, guessing
from services.identity.accounts import check_policy, send_verification
from services.identity.core import Deps, emit, now
from services.identity.models import AuthSession, User
from services.identity.problems import CURRENT_PASSWORD_WRONG
from services.identity.repository import revoke_sessions, user_by_email
from services.identity.schemas import MeUpdate
from services.identity.texts import ACCOUNT_INACTIVE, CONFIRM_CURRENT_PASSWORD, SESSION_ENDED
from shared.auth import Principal
from shared.http.problems import UNAUTHORIZED, Problem


async def active_user(session: AsyncSession, principal: Principal) -> User:
    """The caller's account, refusing a revoked session at once (other services wait for expiry)."""
    user = await session.get(User, principal.user_id)
    if user is None or user.disabled_at is not None:
        raise Problem(UNAUTHORIZED, detail=ACCOUNT_INACTIVE())
    if principal.session_id:
        auth_session = await session.get(AuthSession, uuid.UUID(principal.session_id))
        if auth_session is None or auth_session.revoked_at is not None:
            raise Problem(UNAUTHORIZED, detail=SESSION_ENDED())
    return user


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
        await emit(session, events.profile_changed(user))
    return user


async def require_password(session: AsyncSession, deps: Deps, user: User, password: str, client: str) -> None:
    """The current password, guarded like a sign-in: a stolen session must not become an
    unlimited password oracle. The refusal keeps its changes, so the counted failure commits."""
    await guessing.guess_allowed(session, deps.settings, user.email_key, client)
    if not await deps.passwords.verify(user.password_hash, password):
        await guessing.count_wrong_password(session, deps, user.email_key, client, user.id)
        raise Problem(CURRENT_PASSWORD_WRONG, detail=CONFIRM_CURRENT_PASSWORD(), keep_changes=True)


async def request_email_change(
    session: AsyncSession, deps: Deps, principal: Principal, new_email: str, password: str, client: str
) -> None:
    """Mail a link to the new address; the address changes only when that link is opened.
    An address that belongs to another account gets nothing (and the answer is the same)."""
    user = await active_user(session, principal)
    await require_password(session, deps, user, password, client)
    taken = await user_by_email(session, new_email)
    if taken is None:
        await send_verification(session, deps, user, "email_change", new_email)


async def change_password(
    session: AsyncSession, deps: Deps, principal: Principal, current: str, new: str, client: str
) -> None:
    user = await active_user(session, principal)
    await require_password(session, deps, user, current, client)
    check_policy(user, new, "new_password")
    user.password_hash = await deps.passwords.hash(new)
    user.updated_at = now()
    session.add(user)
    keep = uuid.UUID(principal.session_id) if principal.session_id else None
    await revoke_sessions(session, user.id, "password_changed", keep=keep)
