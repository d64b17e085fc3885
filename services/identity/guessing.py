"""Password guessing: what a wrong password costs, and the owner's way out.

Sign-in and the current password asked by /me/password and /me/email share these counters
(see limits.py for the keys): an (account, address) pair or an address is locked for a while,
the account as a whole is only slowed, and its owner is mailed a one-time unlock link.
"""

import asyncio
import uuid
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import events, limits
from services.identity.config import Settings
from services.identity.core import Deps, account_allows, emit, new_link, now, use_link
from services.identity.models import User
from services.identity.problems import LOCKED
from services.identity.texts import SIGN_IN_LOCKED
from shared.http.problems import Problem


def _lock_policy(settings: Settings, max_failures: int) -> limits.LockPolicy:
    return limits.LockPolicy(
        max_failures=max_failures,
        lock=timedelta(minutes=settings.login_lock_minutes),
        max_lock=timedelta(minutes=settings.login_max_lock_minutes),
        failure_window=timedelta(minutes=settings.login_failure_window_minutes),
    )


def backoff_policy(settings: Settings) -> limits.BackoffPolicy:
    return limits.BackoffPolicy(
        after_failures=settings.account_backoff_after_failures,
        base_seconds=settings.account_backoff_base_ms / 1000,
        max_seconds=settings.account_backoff_max_ms / 1000,
        failure_window=timedelta(minutes=settings.login_failure_window_minutes),
    )


def locked(wait: int) -> Problem:
    minutes = wait // 60 + 1
    return Problem(
        LOCKED,
        detail=SIGN_IN_LOCKED(minutes=minutes),
        headers={"Retry-After": str(wait)},
    )


async def guess_allowed(session: AsyncSession, settings: Settings, key: str, client: str) -> None:
    """Before checking a current password (/me): refuse a locked (account, address) or address,
    and wait out the account's backoff. Sign-in does the same outside any database session
    (sign_in.login); here the session is open, but only a signed-in user gets this far."""
    state = await limits.guess_state(session, key, client, backoff_policy(settings), now())
    if state.locked_for:
        raise locked(state.locked_for)
    if state.backoff_seconds:
        await asyncio.sleep(state.backoff_seconds)


async def count_wrong_password(
    session: AsyncSession, deps: Deps, key: str, client: str, user_id: uuid.UUID | None
) -> None:
    """One wrong password: counted per (account, address), per address and per account. When
    the account-wide count reaches the backoff, its owner (if any) is offered an unlock link."""
    settings, moment = deps.settings, now()
    await limits.record_failure(
        session, limits.pair_key(key, client), _lock_policy(settings, settings.login_max_failures), moment
    )
    await limits.record_failure(
        session, limits.address_key(client), _lock_policy(settings, settings.address_max_failures), moment
    )
    window = timedelta(minutes=settings.login_failure_window_minutes)
    failures = await limits.count_failure(session, limits.account_key(key), window, moment)
    if user_id is not None and failures >= settings.account_backoff_after_failures:
        # Only now is the account read: below the backoff, a wrong password for an existing
        # account costs exactly what one for an unknown email does.
        user = await session.get(User, user_id)
        assert user is not None
        await _offer_unlock(session, deps, user, failures)


async def _offer_unlock(session: AsyncSession, deps: Deps, user: User, failures: int) -> None:
    settings = deps.settings
    if not await account_allows(session, "unlock-mail", user, settings.unlock_mails_per_account_per_hour):
        return
    link = await new_link(session, settings, user, "unlock", user.email)
    await emit(session, events.unlock_offered(user, link, failures))


async def unlock_sign_in(session: AsyncSession, deps: Deps, token: str, client: str) -> None:
    """The owner opened the mailed link: clear the account's counters and every address's lock
    on it, and let this address past an address lock for a while. Never rate limited: the
    token is the proof, and it must work however the counters stand."""
    row = await use_link(session, token, "unlock")
    user = await session.get(User, row.user_id)
    assert user is not None
    await limits.clear_account(session, user.email_key)
    until = now() + timedelta(minutes=deps.settings.unlocked_address_minutes)
    await limits.grant_unlocked(session, user.email_key, client, until)
