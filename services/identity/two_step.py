"""Two-step sign-in with an authenticator app (TOTP) and single-use recovery codes.

Enrolment: start (a new secret, shown once as a QR code and in groups), confirm with a first
code (the secret becomes active and ten recovery codes are shown, once), disable with the
password and a code. A wrong code counts against the same guessing counters as a wrong password
(guessing.py): an address that guesses codes is locked like one that guesses passwords.

The secret is stored sealed (totp.SecretBox) and never returned after enrolment; recovery codes
are stored as SHA-256 only (they are random, 50 bits each, so a fast hash suffices)."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass

import segno
from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import events, guessing, totp
from services.identity.core import Deps, emit, now
from services.identity.models import AuditEntry, RecoveryCode, TwoStepCredential, User
from services.identity.problems import TWO_STEP_CODE_REQUIRED, TWO_STEP_CODE_WRONG
from services.identity.texts import (
    ENTER_CURRENT_CODE,
    TWO_STEP_ALREADY_ON,
    TWO_STEP_NOT_ON,
    TWO_STEP_NOT_STARTED,
)
from shared import clock
from shared.audit import record
from shared.events.identity import TwoStepChange
from shared.http.problems import CONFLICT, Problem

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed by hand


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, for typing into an app by hand
    otpauth_uri: str
    qr_image: str  # a data: URI of an SVG QR code of otpauth_uri


@dataclass(frozen=True)
class TwoStepState:
    enabled: bool
    recovery_codes_left: int
    required: bool  # the account's roles demand it (policy)


def required_for(required_roles: tuple[str, ...], user: User) -> bool:
    return bool(set(required_roles) & set(user.roles))


async def credential(session: AsyncSession, user_id: uuid.UUID) -> TwoStepCredential | None:
    return await session.get(TwoStepCredential, user_id)


async def is_enabled(session: AsyncSession, user_id: uuid.UUID) -> bool:
    found = await credential(session, user_id)
    return found is not None and found.confirmed_at is not None


async def recovery_codes_left(session: AsyncSession, user_id: uuid.UUID) -> int:
    return (
        await session.exec(
            select(func.count())
            .select_from(RecoveryCode)
            .where(col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None))
        )
    ).one()


async def state(session: AsyncSession, deps: Deps, user: User) -> TwoStepState:
    left = await recovery_codes_left(session, user.id)
    enabled = await is_enabled(session, user.id)
    return TwoStepState(
        enabled, left if enabled else 0, required_for(deps.settings.two_step_required_roles, user)
    )


async def start(session: AsyncSession, deps: Deps, user: User) -> Enrolment:
    """A new secret, pending until confirmed; starting again replaces a pending one."""
    existing = await session.get(TwoStepCredential, user.id, with_for_update=True)
    if existing is not None and existing.confirmed_at is not None:
        raise Problem(CONFLICT, detail=TWO_STEP_ALREADY_ON())
    secret = totp.new_secret()
    sealed = totp.SecretBox(deps.settings.secret_key).seal(secret, user.id)
    if existing is None:
        session.add(TwoStepCredential(user_id=user.id, sealed_secret=sealed, created_at=now()))
    else:
        existing.sealed_secret, existing.created_at, existing.last_step = sealed, now(), -1
        session.add(existing)
    await session.flush()
    uri = totp.otpauth_uri(secret, user.email)
    # Drawn here so the portal needs no QR script (an <img> of a data: URI, allowed by the CSP).
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return Enrolment(totp.base32(secret), uri, qr)


async def confirm(session: AsyncSession, deps: Deps, user: User, code: str, client: str) -> list[str]:
    """The first code proves the app holds the secret: two-step is on from now, and the ten
    recovery codes are returned (the only time they are)."""
    found = await session.get(TwoStepCredential, user.id, with_for_update=True)
    if found is None or found.confirmed_at is not None:
        raise Problem(CONFLICT, detail=TWO_STEP_ALREADY_ON() if found else TWO_STEP_NOT_STARTED())
    await _check_totp(session, deps, user, found, code, client)
    found.confirmed_at = now()
    session.add(found)
    codes = await _new_recovery_codes(session, user.id)
    await _record_change(session, user, "two_step_on", "enabled", len(codes))
    return codes


async def disable(session: AsyncSession, deps: Deps, user: User, code: str, client: str) -> None:
    """The caller has confirmed the password already (profile.require_password)."""
    if not await is_enabled(session, user.id):
        raise Problem(CONFLICT, detail=TWO_STEP_NOT_ON())
    await verify_second_factor(session, deps, user, code, client)
    await session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    await session.execute(delete(TwoStepCredential).where(col(TwoStepCredential.user_id) == user.id))
    await _record_change(session, user, "two_step_off", "disabled", 0)


async def renew_recovery_codes(
    session: AsyncSession, deps: Deps, user: User, code: str, client: str
) -> list[str]:
    """Ten new recovery codes replace every old one (used or not), shown this once. The caller
    has confirmed the password already; a code proves the authenticator is at hand too."""
    await verify_second_factor(session, deps, user, code, client)
    codes = await _new_recovery_codes(session, user.id)
    await _record_change(session, user, "recovery_codes_renewed", "recovery_codes_renewed", len(codes))
    return codes


async def _record_change(
    session: AsyncSession, user: User, action: str, change: TwoStepChange, codes_left: int
) -> None:
    """Audit a change of the account's own two-step set-up and announce it (the notice mail)."""
    record(session, AuditEntry, actor_id=user.id, actor_email=user.email, action=action, target=str(user.id))
    await emit(session, events.two_step_changed(user, change, codes_left))


async def require_second_factor(
    session: AsyncSession, deps: Deps, user: User, code: str | None, client: str
) -> None:
    """For an action that must not rest on the password alone (closing the account): with
    two-step on, a code is needed as well, checked and counted as at sign-in."""
    if not await is_enabled(session, user.id):
        return
    if not code:
        raise Problem(TWO_STEP_CODE_REQUIRED, detail=ENTER_CURRENT_CODE())
    await verify_second_factor(session, deps, user, code, client)


async def verify_second_factor(session: AsyncSession, deps: Deps, user: User, code: str, client: str) -> str:
    """An authenticator code or an unused recovery code, each accepted once. Returns which
    (`totp` or `recovery`). Locked addresses are refused before anything is checked."""
    found = await session.get(TwoStepCredential, user.id, with_for_update=True)
    if found is None or found.confirmed_at is None:
        raise Problem(CONFLICT, detail=TWO_STEP_NOT_ON())
    compact = code.strip().replace(" ", "")
    if compact.isdigit():
        await _check_totp(session, deps, user, found, compact, client)
        return "totp"
    await guessing.guess_allowed(session, deps.settings, user.email_key, client)
    spent = await session.execute(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.code_hash) == _recovery_hash(user.id, compact),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=now())
        .returning(col(RecoveryCode.code_hash))
    )
    if spent.first() is None:
        await _wrong(session, deps, user, client)
    return "recovery"


async def _check_totp(
    session: AsyncSession, deps: Deps, user: User, found: TwoStepCredential, code: str, client: str
) -> None:
    await guessing.guess_allowed(session, deps.settings, user.email_key, client)
    secret = totp.SecretBox(deps.settings.secret_key).open(found.sealed_secret, user.id)
    step = totp.matching_step(secret, code, clock.timestamp(), after_step=found.last_step)
    if step is None:
        await _wrong(session, deps, user, client)
        return
    found.last_step = step
    session.add(found)
    await session.flush()


async def _wrong(session: AsyncSession, deps: Deps, user: User, client: str) -> None:
    await guessing.count_wrong_password(session, deps, user.email_key, client, user.id)
    raise Problem(TWO_STEP_CODE_WRONG, detail=ENTER_CURRENT_CODE(), keep_changes=True)


def _normal_recovery(code: str) -> str:
    return code.strip().lower().replace("-", "").replace(" ", "")


def _recovery_hash(user_id: uuid.UUID, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{_normal_recovery(code)}".encode()).hexdigest()


async def _new_recovery_codes(session: AsyncSession, user_id: uuid.UUID) -> list[str]:
    await session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    session.add_all(
        RecoveryCode(code_hash=_recovery_hash(user_id, code), user_id=user_id, created_at=now())
        for code in codes
    )
    await session.flush()
    return codes
