"""Request and response models. Validation here becomes a 422 problem with field errors."""

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from services.identity.models import AuditEntry, Role
from services.identity.normalize import normalize_email, normalize_phone
from services.identity.passwords import MAX_LENGTH, policy_violations
from shared.bidi import has_bidi_controls
from shared.i18n import Locale

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Postgres text cannot hold NUL: refuse it at the edge (a 422, not a database error).
NO_NUL = r"^[^\x00]*$"

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Region = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
RawEmail = Annotated[str, StringConstraints(min_length=3, max_length=320, pattern=NO_NUL)]
RawPassword = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LENGTH)]
Token = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500, pattern=NO_NUL)
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_name(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("The name must not contain control characters")
    if has_bidi_controls(value):
        raise ValueError("The name must not contain text-direction control characters")
    return value


def _check_password(value: str, info: ValidationInfo, *, email_field: str = "email") -> str:
    problems = policy_violations(value, email=info.data.get(email_field), name=info.data.get("name"))
    if problems:
        raise ValueError("; ".join(problems))
    return value


class RegisterRequest(Strict):
    name: Name
    phone_region: Region = Field(default="TW", description="Region of a national phone number (ISO 3166)")
    phone: Annotated[str, StringConstraints(min_length=3, max_length=32, pattern=NO_NUL)] = Field(
        description="International (+886…) or national number of phone_region; stored as E.164"
    )
    email: RawEmail
    password: RawPassword
    locale: Locale

    _name = field_validator("name")(check_name)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str, info: ValidationInfo) -> str:
        return normalize_phone(value, info.data.get("phone_region") or "TW")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str, info: ValidationInfo) -> str:
        return _check_password(value, info)


class StatusResponse(BaseModel):
    status: str


class VerifyRequest(Strict):
    token: Token


class EmailRequest(Strict):
    email: RawEmail


class LoginRequest(Strict):
    email: RawEmail
    password: RawPassword


class RefreshRequest(Strict):
    refresh_token: Token | None = None


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int
    refresh_token: str


class ResetRequest(Strict):
    token: Token
    password: RawPassword  # the policy needs the account's email and name: checked in service


class MePublic(BaseModel):
    id: uuid.UUID
    name: str
    phone: str
    email: str
    locale: Locale
    roles: list[Role]
    email_verified: bool
    created_at: datetime


class MeUpdate(Strict):
    name: Name | None = None
    phone_region: Region = "TW"
    phone: Annotated[str, StringConstraints(min_length=3, max_length=32, pattern=NO_NUL)] | None = None
    locale: Locale | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else check_name(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else normalize_phone(value, info.data.get("phone_region") or "TW")


class EmailChangeRequest(Strict):
    new_email: RawEmail
    password: RawPassword

    @field_validator("new_email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)


class PasswordChangeRequest(Strict):
    current_password: RawPassword
    new_password: RawPassword  # policy checked in service (needs the account's email and name)


class LockState(BaseModel):
    locked: bool
    until: datetime | None
    recent_failures: int


class UserSummary(MePublic):
    """A search result: enough of the account's state to pick the right one from a list."""

    disabled: bool
    locked: bool
    last_sign_in_at: datetime | None
    organization_id: uuid.UUID | None = Field(default=None, description="The account's organization, if any")
    organization_name: str | None = None


class UserAdminView(UserSummary):
    email_verified_at: datetime | None
    disabled_at: datetime | None
    updated_at: datetime
    lock: LockState
    active_sessions: int


# What staff can narrow a search to, besides the text.
AccountState = Literal["unverified", "disabled", "locked"]


class UserPage(BaseModel):
    items: list[UserSummary]
    total: int
    limit: int
    offset: int


class ReasonRequest(Strict):
    reason: Reason


class RolesRequest(Strict):
    roles: Annotated[list[Role], Field(min_length=1, max_length=5)]
    reason: Reason


class AuditPublic(BaseModel):
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_email: str
    action: str
    target_user_id: uuid.UUID | None
    reason: str
    details: dict[str, object]


def audit_public(entry: AuditEntry) -> AuditPublic:
    """The listing's shape predates the shared audit table: the target is a user id."""
    return AuditPublic(
        id=entry.id,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_email=entry.actor_email,
        action=entry.action,
        target_user_id=uuid.UUID(entry.target) if entry.target else None,
        reason=entry.reason,
        details=entry.details,
    )


class AuditPage(BaseModel):
    items: list[AuditPublic]
    total: int
    limit: int
    offset: int
