"""Customer-facing account use cases: registration, email verification (and email change
confirmation), resending the link, forgotten and reset passwords.

They flush, never commit: the request dependency (or the CLI's transaction) owns the
transaction. Events go through the outbox. Answers must not reveal whether an email has an
account: register, resend and forgot answer the same way either way."""

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import events, limits
from services.identity.config import Settings
from services.identity.core import (
    Deps,
    account_allows,
    emit,
    limit_address,
    new_link,
    now,
    pending_link,
    use_link,
)
from services.identity.models import MailRequest, MailRequestKind, Purpose, User
from services.identity.passwords import policy_violations
from services.identity.problems import EMAIL_TAKEN
from services.identity.repository import mark_verified, revoke_sessions, user_by_email
from services.identity.schemas import RegisterRequest
from services.identity.texts import CHOOSE_OTHER_PASSWORD, EMAIL_TAKEN_NOW
from shared.http.problems import VALIDATION, Problem


async def send_verification(
    session: AsyncSession, deps: Deps, user: User, reason: events.VerificationReason, email: str
) -> None:
    purpose: Purpose = "email_change" if reason == "email_change" else "verify"
    link = await new_link(session, deps.settings, user, purpose, email)
    await emit(session, events.verification_requested(user, email, link, reason))


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
            await emit(session, events.registered(user))
            await send_verification(session, deps, user, "register", user.email)
            return
    # The account exists: tell the owner (not the caller).
    if existing is not None and await account_allows(
        session, "exists-notice", existing, settings.exists_notice_per_account_per_hour
    ):
        await emit(session, events.account_exists_notice(existing, settings))


async def verify_email(session: AsyncSession, token: str) -> None:
    row = await use_link(session, token, "verification")
    user = await session.get(User, row.user_id, with_for_update=True)
    assert user is not None
    if row.purpose == "email_change":
        await _apply_email_change(session, user, row.email)
    else:
        await mark_verified(session, user, "link")


async def _apply_email_change(session: AsyncSession, user: User, new_email: str) -> None:
    taken = await user_by_email(session, new_email)
    if taken is not None and taken.id != user.id:
        raise Problem(EMAIL_TAKEN, detail=EMAIL_TAKEN_NOW())
    previous = user.email
    user.email, user.email_key, user.updated_at = new_email, new_email.lower(), now()
    session.add(user)
    await session.flush()
    await emit(session, events.profile_changed(user, previous_email=previous))
    # Confirming the new address also proves it; an unverified account becomes verified.
    await mark_verified(session, user, "link")


async def queue_mail_request(
    session: AsyncSession, settings: Settings, kind: MailRequestKind, email: str, client: str
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
        await send_verification(session, deps, user, "resend", user.email)


# --- password reset --------------------------------------------------------------------------


async def forgot_password(session: AsyncSession, deps: Deps, email: str) -> None:
    """A queued 'forgot' (mail_requests.py): a reset link if the account exists and may get one."""
    settings = deps.settings
    user = await user_by_email(session, email, for_update=True)
    if user is None or user.disabled_at is not None:
        return
    if not await account_allows(session, "forgot", user, settings.forgot_per_account_per_hour):
        return
    link = await new_link(session, settings, user, "reset", user.email)
    await emit(session, events.password_reset_requested(user, link))


def check_policy(user: User, password: str, field_name: str) -> None:
    problems = policy_violations(password, email=user.email, name=user.name)
    if problems:
        raise Problem(
            VALIDATION,
            detail=CHOOSE_OTHER_PASSWORD(),
            errors=[{"field": field_name, "message": "; ".join(problems), "code": "password_policy"}],
        )


async def reset_password(session: AsyncSession, deps: Deps, token: str, password: str) -> None:
    pending = await pending_link(session, token, "reset")
    if pending is not None:
        owner = await session.get(User, pending.user_id)
        assert owner is not None
        check_policy(owner, password, "password")  # before spending the token
    row = await use_link(session, token, "reset")
    user = await session.get(User, row.user_id, with_for_update=True)
    assert user is not None
    user.password_hash = await deps.passwords.hash(password)
    user.updated_at = now()
    session.add(user)
    await revoke_sessions(session, user.id, "password_reset")
    await limits.clear_account(session, user.email_key)
    # The link reached the mailbox, which proves the address just as a verification link does.
    await mark_verified(session, user, "link")
