"""Events of the identity service, topic `identity.user` (key: user id)."""

from typing import Literal
from uuid import UUID

from pydantic import EmailStr

from shared.events.base import Event

Locale = Literal["zh-TW", "zh-CN", "en", "ja"]
TOPIC = "identity.user"


class UserRegistered(Event):
    topic = TOPIC
    type = "identity.UserRegistered.v1"
    subject_field = "user_id"

    user_id: UUID
    email: EmailStr
    name: str
    locale: Locale


class VerificationRequested(Event):
    """A verification link must be mailed. The token travels only here and in the mail."""

    topic = TOPIC
    type = "identity.VerificationRequested.v1"
    subject_field = "user_id"

    user_id: UUID
    email: EmailStr
    name: str
    locale: Locale
    verify_url: str
    expires_in_hours: int
    reason: Literal["register", "resend", "email_change"] = "register"


class AccountExistsNotice(Event):
    """Someone tried to register an address that already has an account (no enumeration)."""

    topic = TOPIC
    type = "identity.AccountExistsNotice.v1"
    subject_field = "user_id"

    user_id: UUID
    email: EmailStr
    name: str
    locale: Locale
    sign_in_url: str
    reset_url: str


class UserVerified(Event):
    topic = TOPIC
    type = "identity.UserVerified.v1"
    subject_field = "user_id"

    user_id: UUID
    email: EmailStr
    name: str
    locale: Locale
    verified_by: Literal["link", "staff"] = "link"


class PasswordResetRequested(Event):
    topic = TOPIC
    type = "identity.PasswordResetRequested.v1"
    subject_field = "user_id"

    user_id: UUID
    email: EmailStr
    name: str
    locale: Locale
    reset_url: str
    expires_in_minutes: int


class SignInUnlockOffered(Event):
    """Passwords were guessed wrong for this account from anywhere: sign-in is slowed, and the
    owner is mailed a one-time link that clears the counters (it works whatever the counts)."""

    topic = TOPIC
    type = "identity.SignInUnlockOffered.v1"
    subject_field = "user_id"

    user_id: UUID
    email: EmailStr
    name: str
    locale: Locale
    unlock_url: str
    failures: int
    expires_in_hours: int


class UserProfileChanged(Event):
    """Carries what other services keep of a user (email, locale, name)."""

    topic = TOPIC
    type = "identity.UserProfileChanged.v1"
    subject_field = "user_id"

    user_id: UUID
    email: EmailStr
    name: str
    locale: Locale
    previous_email: EmailStr | None = None
    disabled: bool = False


class SessionsRevoked(Event):
    """Sessions ended (sign-out, sign-out everywhere, password change or reset, a disabled
    account, a stolen refresh token): every service refuses their access tokens from now on,
    instead of waiting for the tokens to expire (shared.revocations)."""

    topic = TOPIC
    type = "identity.SessionsRevoked.v1"
    subject_field = "user_id"

    user_id: UUID
    session_ids: list[UUID]
    reason: str


# What changed in an account's two-step sign-in (a security notice mails each one).
TwoStepChange = Literal["enabled", "disabled", "recovery_codes_renewed", "recovery_code_used"]


class TwoStepChanged(Event):
    """Two-step sign-in was turned on or off, its recovery codes were renewed, or one was used
    to sign in: the owner is told at the account's address (someone with the password alone
    must not change it unnoticed)."""

    topic = TOPIC
    type = "identity.TwoStepChanged.v1"
    subject_field = "user_id"

    user_id: UUID
    email: EmailStr
    name: str
    locale: Locale
    change: TwoStepChange
    recovery_codes_left: int


class AccountClosed(Event):
    """The person closed their account. Identity has already anonymised it (name, phone and
    address replaced; the address is free to register again), disabled it and ended its
    sessions; a UserProfileChanged with the anonymised values and `disabled` goes out with it,
    so every projection of the person is anonymised by the consumers that already keep one.
    Licenses stay bound to the anonymised account (one license, one owner); cases keep their
    conversation under the anonymised reporter.

    `email`, `name` and `locale` are what the account had before: the only place identity
    passes them on, so that the notifier can confirm the closing to the address it was asked
    from (its delivery row is then the only copy) and stop every mail still queued for it."""

    topic = TOPIC
    type = "identity.AccountClosed.v1"
    subject_field = "user_id"

    user_id: UUID
    email: EmailStr
    name: str
    locale: Locale
