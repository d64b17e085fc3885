"""Identity tables. Secrets (passwords, tokens, private keys) are never stored in the clear:
passwords as argon2id hashes, one-time and refresh tokens as SHA-256, signing keys encrypted."""

import uuid
from datetime import datetime
from typing import Any, Literal, TypeGuard, get_args

from sqlalchemy import BigInteger, Column, DateTime, Index, LargeBinary, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.audit import AuditRecord
from shared.auth import ROLES
from shared.events.organizations import OrganizationRole
from shared.i18n import Locale
from shared.keystore import SigningKeyRecord
from shared.ratelimit import rate_events_table


class Base(SQLModel, registry=registry()):
    pass


# The roles an access token can carry (shared.auth.ROLES), kept as text in `users.roles`.
Role = Literal["customer", "support", "security", "admin", "release"]
assert set(get_args(Role)) == set(ROLES)
# What a one-time token is for: confirming the account's address (`verify`) or a new one it
# asked for (`email_change`), a password reset, or clearing sign-in counters.
Purpose = Literal["verify", "email_change", "reset", "unlock"]
MailRequestKind = Literal["forgot", "resend"]


def is_role(value: str) -> TypeGuard[Role]:
    return value in get_args(Role)


def _ts(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index))


class UserBase(Base):
    name: str = Field(max_length=100)
    phone: str = Field(max_length=20)  # E.164
    email: str = Field(max_length=320)  # normalised form, local part's case kept for display
    locale: Locale = Field(sa_type=Text)


class User(UserBase, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email_key: str = Field(max_length=320, unique=True)  # lowercased: emails compare case-insensitively
    password_hash: str
    roles: list[Role] = Field(
        default_factory=lambda: ["customer"], sa_column=Column(ARRAY(Text), nullable=False)
    )
    email_verified_at: datetime | None = _ts()
    disabled_at: datetime | None = _ts()
    created_at: datetime = _ts(nullable=False)
    updated_at: datetime = _ts(nullable=False)


class OneTimeToken(Base, table=True):
    """Verification (`verify`, `email_change`) and `reset` tokens: single use, expiring."""

    __tablename__ = "one_time_tokens"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    purpose: Purpose = Field(sa_type=String(20))
    email: str = Field(max_length=320)  # the address the link was sent to (the new one for email_change)
    created_at: datetime = _ts(nullable=False)
    expires_at: datetime = _ts(nullable=False)
    used_at: datetime | None = _ts()
    revoked_at: datetime | None = _ts()


class AuthSession(Base, table=True):
    """A sign-in: the family of refresh tokens that descend from one login (`sid` claim)."""

    __tablename__ = "sessions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    client_address: str = Field(max_length=64)
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = _ts(nullable=False)
    last_used_at: datetime = _ts(nullable=False)
    revoked_at: datetime | None = _ts()
    revoked_reason: str | None = Field(default=None, max_length=40)


class RefreshToken(Base, table=True):
    __tablename__ = "refresh_tokens"

    token_hash: str = Field(primary_key=True, max_length=64)
    session_id: uuid.UUID = Field(foreign_key="sessions.id", index=True)
    created_at: datetime = _ts(nullable=False)
    expires_at: datetime = _ts(nullable=False)
    rotated_at: datetime | None = _ts()  # set when exchanged: presenting it again is reuse


class SigningKey(Base, SigningKeyRecord, table=True):
    __tablename__ = "signing_keys"


class LoginThrottle(Base, table=True):
    """Failed sign-ins per `account:<email>` or `address:<ip>` key, and the lock they caused."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=400)
    failures: int = 0
    lock_level: int = 0  # locks so far in this streak: each one lasts twice the previous
    last_failure_at: datetime | None = _ts()
    locked_until: datetime | None = _ts()


# One hit of a sliding-window rate limit (resend, forgot, register, unlock mails…).
RATE_EVENTS = rate_events_table(Base.metadata)


class MailRequest(Base, table=True):
    """A 'forgot password' or 'resend verification' request, queued as it arrives and handled
    after the answer: the request itself does the same work whether or not the account exists."""

    __tablename__ = "mail_requests"
    # The worker looks only at what is pending.
    __table_args__ = (Index("ix_mail_requests_pending", "id", postgresql_where=text("processed_at IS NULL")),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigInteger)
    kind: MailRequestKind = Field(sa_type=String(20))
    email: str = Field(max_length=320)
    created_at: datetime = _ts(nullable=False)
    processed_at: datetime | None = _ts()


class AuditEntry(Base, AuditRecord, table=True):
    """Staff actions on accounts; `target` is the user id."""

    __tablename__ = "audit"


# --- organizations ----------------------------------------------------------------------------


class Organization(Base, table=True):
    """A company whose members share its licenses, contracts, downloads and cases."""

    __tablename__ = "organizations"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    country: str = Field(max_length=2)  # ISO 3166-1 alpha-2
    created_at: datetime = _ts(nullable=False)
    updated_at: datetime = _ts(nullable=False)


class OrganizationMember(Base, table=True):
    """One account's membership: the user id is the key, so an account belongs to at most one
    organization."""

    __tablename__ = "organization_members"

    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True)
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    role: OrganizationRole = Field(sa_type=String(10))
    joined_at: datetime = _ts(nullable=False)


class OrganizationInvitation(Base, table=True):
    """An invitation mailed to an address: single use, expiring, revocable; the token is stored
    only as its SHA-256."""

    __tablename__ = "organization_invitations"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    email: str = Field(max_length=320)
    email_key: str = Field(max_length=320, index=True)
    role: OrganizationRole = Field(sa_type=String(10))
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: uuid.UUID = Field(foreign_key="users.id")
    created_at: datetime = _ts(nullable=False)
    expires_at: datetime = _ts(nullable=False)
    accepted_at: datetime | None = _ts()
    accepted_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    revoked_at: datetime | None = _ts()


class TwoStepCredential(Base, table=True):
    """An account's authenticator-app secret (TOTP), sealed (services.identity.totp.SecretBox).
    Pending until a first code confirms it; only a confirmed one is asked for at sign-in."""

    __tablename__ = "two_step_credentials"

    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True)
    sealed_secret: bytes = Field(sa_type=LargeBinary, nullable=False)
    created_at: datetime = _ts(nullable=False)
    confirmed_at: datetime | None = _ts()
    # The newest time step a code was accepted for: each code works once.
    last_step: int = Field(default=-1, sa_type=BigInteger)


class RecoveryCode(Base, table=True):
    """A single-use code that stands in for the authenticator; stored as SHA-256 only."""

    __tablename__ = "recovery_codes"

    code_hash: str = Field(primary_key=True, max_length=64)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    created_at: datetime = _ts(nullable=False)
    used_at: datetime | None = _ts()
