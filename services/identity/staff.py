"""Staff-facing use cases: finding users, verifying by hand, disabling, roles, clearing a
sign-in lock, the audit trail; and the command line's idempotent seeding. Every change is
audited in the same transaction."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import events, limits
from services.identity.accounts import send_verification
from services.identity.core import Deps, emit, now
from services.identity.models import AuditEntry, AuthSession, Organization, OrganizationMember, Role, User
from services.identity.problems import LAST_ADMIN, OWN_ROLES
from services.identity.repository import mark_verified, revoke_sessions, user_by_email
from services.identity.schemas import AccountState
from services.identity.texts import (
    ASK_ANOTHER_ADMIN_FOR_ROLE,
    ASK_ANOTHER_ADMIN_TO_DISABLE,
    LAST_ADMIN_STAYS,
    NO_SUCH_USER,
)
from shared.audit import SYSTEM, page, record
from shared.auth import Principal
from shared.http.problems import NOT_FOUND, Problem
from shared.i18n import Locale

# pg_advisory_xact_lock key for changes that may take away an administrator (any fixed number).
_ADMINS_LOCK = 0x1D_AD_31


async def _audit(
    session: AsyncSession,
    actor: Principal | None,
    action: str,
    target: uuid.UUID,
    reason: str,
    **details: object,
) -> None:
    """One line of the audit trail (shared.audit), in the same transaction as the change."""
    record(
        session,
        AuditEntry,
        actor_id=actor.user_id if actor else None,
        actor_email=(actor.email or str(actor.user_id)) if actor else SYSTEM,
        action=action,
        target=str(target),
        reason=reason,
        **details,
    )
    await session.flush()


async def _target(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise Problem(NOT_FOUND, detail=NO_SUCH_USER())
    return user


@dataclass(frozen=True)
class UserSummary:
    """An account as a search lists it: locked, last sign-in and organization come from other tables."""

    user: User
    locked: bool
    last_sign_in_at: datetime | None
    organization: Organization | None


@dataclass(frozen=True)
class UserDetail(UserSummary):
    locked_until: datetime | None
    recent_failures: int
    active_sessions: int


async def search_users(
    session: AsyncSession,
    q: str,
    limit: int,
    offset: int,
    *,
    role: Role | None = None,
    state: AccountState | None = None,
) -> tuple[list[UserSummary], int]:
    query = select(User)
    if q:
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(col(User.email_key).like(pattern), func.lower(User.name).like(pattern)))
    if role is not None:
        query = query.where(col(User.roles).contains([role]))
    if state == "unverified":
        query = query.where(col(User.email_verified_at).is_(None))
    elif state == "disabled":
        query = query.where(col(User.disabled_at).is_not(None))
    elif state == "locked":
        query = query.where(limits.locked_accounts_clause(now()))
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.order_by(col(User.created_at).desc()).limit(limit).offset(offset))
    users = list(rows.all())
    last = await _last_sign_ins(session, [u.id for u in users])
    organizations = await _organizations_of(session, [u.id for u in users])
    moment = now()
    summaries = []
    for user in users:  # a page is small: one lock look-up each reads the same rows `user_detail` does
        lock = await limits.account_lock(session, user.email_key, moment)
        summaries.append(
            UserSummary(user, lock.locked_until is not None, last.get(user.id), organizations.get(user.id))
        )
    return summaries, total


async def _last_sign_ins(session: AsyncSession, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """When each account last signed in: the newest session it started (refreshes are not sign-ins)."""
    if not user_ids:
        return {}
    rows = await session.exec(
        select(AuthSession.user_id, func.max(AuthSession.created_at))
        .where(col(AuthSession.user_id).in_(user_ids))
        .group_by(col(AuthSession.user_id))
    )
    return {user_id: at for user_id, at in rows.all()}


async def _organizations_of(
    session: AsyncSession, user_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Organization]:
    """The organization each account belongs to (at most one), for the back office's lists."""
    if not user_ids:
        return {}
    rows = await session.exec(
        select(OrganizationMember.user_id, Organization)
        .join(Organization, col(Organization.id) == col(OrganizationMember.organization_id))
        .where(col(OrganizationMember.user_id).in_(user_ids))
    )
    return {user_id: organization for user_id, organization in rows.all()}


async def user_detail(session: AsyncSession, user_id: uuid.UUID) -> UserDetail:
    user = await session.get(User, user_id)
    if user is None:
        raise Problem(NOT_FOUND, detail=NO_SUCH_USER())
    lock = await limits.account_lock(session, user.email_key, now())
    sessions = (
        await session.exec(
            select(func.count()).where(
                col(AuthSession.user_id) == user.id, col(AuthSession.revoked_at).is_(None)
            )
        )
    ).one()
    last = await _last_sign_ins(session, [user.id])
    return UserDetail(
        user=user,
        locked=lock.locked_until is not None,
        last_sign_in_at=last.get(user.id),
        organization=(await _organizations_of(session, [user.id])).get(user.id),
        locked_until=lock.locked_until,
        recent_failures=lock.recent_failures,
        active_sessions=sessions,
    )


async def _keep_an_active_admin(session: AsyncSession, user: User) -> None:
    """Refuse a change that would leave no enabled account with the admin role. Changes that can
    take an admin away wait for each other (a transaction-wide lock), so two administrators
    demoting each other at once cannot both succeed."""
    if "admin" not in user.roles or user.disabled_at is not None:
        return
    await session.exec(select(func.pg_advisory_xact_lock(_ADMINS_LOCK)))
    others = await session.exec(
        select(func.count()).where(
            col(User.roles).contains(["admin"]), col(User.disabled_at).is_(None), col(User.id) != user.id
        )
    )
    if others.one() == 0:
        raise Problem(LAST_ADMIN, detail=LAST_ADMIN_STAYS())


async def staff_verify(
    session: AsyncSession, actor: Principal | None, user_id: uuid.UUID, reason: str
) -> UserDetail:
    user = await _target(session, user_id)
    changed = await mark_verified(session, user, "staff")
    await _audit(session, actor, "verify", user.id, reason, changed=changed)
    return await user_detail(session, user.id)


async def set_disabled(
    session: AsyncSession, actor: Principal, user_id: uuid.UUID, disabled: bool, reason: str
) -> UserDetail:
    user = await _target(session, user_id)
    if disabled and user.id == actor.user_id:
        raise Problem(OWN_ROLES, detail=ASK_ANOTHER_ADMIN_TO_DISABLE())
    if disabled:
        await _keep_an_active_admin(session, user)
    changed = (user.disabled_at is not None) != disabled
    if changed:
        user.disabled_at = now() if disabled else None
        user.updated_at = now()
        session.add(user)
        await session.flush()
        if disabled:
            await revoke_sessions(session, user.id, "disabled")
        await emit(session, events.profile_changed(user))
    await _audit(session, actor, "disable" if disabled else "enable", user.id, reason, changed=changed)
    return await user_detail(session, user.id)


async def set_roles(
    session: AsyncSession, actor: Principal, user_id: uuid.UUID, roles: list[Role], reason: str
) -> UserDetail:
    user = await _target(session, user_id)
    wanted = sorted(set(roles))
    if user.id == actor.user_id and "admin" not in wanted:
        raise Problem(OWN_ROLES, detail=ASK_ANOTHER_ADMIN_FOR_ROLE())
    if "admin" not in wanted:
        await _keep_an_active_admin(session, user)
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
    return await page(
        session, AuditEntry, target=None if target is None else str(target), limit=limit, offset=offset
    )


# --- command line ----------------------------------------------------------------------------


async def create_or_update_user(
    session: AsyncSession,
    deps: Deps,
    *,
    email: str,
    name: str,
    phone: str,
    password: str,
    locale: Locale,
    roles: list[Role] | None,
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
            locale=locale,
            password_hash=await deps.passwords.hash(password),
            roles=sorted(set(roles or ["customer"])),
            created_at=moment,
            updated_at=moment,
        )
        session.add(user)
        await session.flush()
        await emit(session, events.registered(user))
        if not verified:
            await send_verification(session, deps, user, "register", user.email)
    elif roles is not None and sorted(set(roles)) != sorted(user.roles):
        user.roles = sorted(set(roles))
        user.updated_at = now()
        session.add(user)
        await session.flush()
    if verified and await mark_verified(session, user, "staff"):
        await _audit(session, None, "verify", user.id, "create-user --verified", changed=True)
    return user.id


async def user_id_by_email(session: AsyncSession, email: str) -> uuid.UUID | None:
    user = await user_by_email(session, email)
    return user.id if user else None
