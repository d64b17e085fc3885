"""Closing one's own account: confirmed with the password, then the account is anonymised
rather than deleted, so that what other records point at (licenses bound to it, cases it
reported, audit lines) keeps a valid id that no longer names anyone.

Name, phone and address are replaced; the address is freed, so the person may register again
with it later (a new, separate account). The password stops working, two-step secrets and
pending links are dropped, every session ends, and the change is audited and announced."""

import secrets

from sqlalchemy import delete, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import events, two_step
from services.identity.core import Deps, emit, now
from services.identity.models import AuditEntry, OneTimeToken, RecoveryCode, TwoStepCredential
from services.identity.profile import active_user, require_password
from services.identity.repository import revoke_sessions
from shared.audit import record
from shared.auth import Principal

# What a closed account shows where a name is needed (staff views, old case conversations).
CLOSED_NAME = "Closed account"
# RFC 2606's reserved top-level domain: never deliverable, yet a valid address for every schema.
CLOSED_DOMAIN = "closed.example"


async def close_account(
    session: AsyncSession, deps: Deps, principal: Principal, password: str, code: str | None, client: str
) -> None:
    """With two-step sign-in on, a code (or a recovery code) confirms it besides the password."""
    user = await active_user(session, principal)
    await require_password(session, deps, user, password, client)
    await two_step.require_second_factor(session, deps, user, code, client)
    closed = events.account_closed(user)  # the address it had, before it is replaced
    moment = now()
    placeholder = f"closed-{user.id.hex}@{CLOSED_DOMAIN}"
    user.name, user.phone, user.email, user.email_key = CLOSED_NAME, "", placeholder, placeholder
    user.password_hash = await deps.passwords.hash(secrets.token_urlsafe(32))  # known to nobody
    user.disabled_at = user.updated_at = moment
    session.add(user)
    await session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    await session.execute(delete(TwoStepCredential).where(col(TwoStepCredential.user_id) == user.id))
    await session.execute(
        update(OneTimeToken)
        .where(col(OneTimeToken.user_id) == user.id, col(OneTimeToken.used_at).is_(None))
        .values(revoked_at=moment)
    )
    await session.flush()
    await revoke_sessions(session, user.id, "account_closed")
    # The audit line names the account by id only: the old address is what was removed.
    record(
        session,
        AuditEntry,
        actor_id=user.id,
        actor_email=placeholder,
        action="close_account",
        target=str(user.id),
    )
    await emit(session, events.profile_changed(user))
    await emit(session, closed)
