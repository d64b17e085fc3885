"""Request and response models of the account console: sessions and two-step sign-in."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from services.identity.schemas import NO_NUL, MePublic, RawPassword, Strict, TokenResponse

# A 6-digit authenticator code or a recovery code such as "abcde-fghjk" (spaces allowed).
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=6, max_length=20, pattern=r"^[A-Za-z0-9 \-]+$")
]
ChallengeToken = Annotated[str, StringConstraints(min_length=1, max_length=2048, pattern=NO_NUL)]


class SessionPublic(BaseModel):
    id: uuid.UUID
    browser: str | None  # "Firefox 121"; None when the user agent is not recognised
    system: str | None  # "Windows"
    address: str
    created_at: datetime
    last_used_at: datetime  # the sign-in, or the newest token refresh
    current: bool  # the session this request's access token belongs to


class TwoStepStatus(BaseModel):
    enabled: bool
    recovery_codes_left: int
    required: bool  # the account's roles require it


class TwoStepEnrolment(BaseModel):
    secret: str  # base32, shown in groups for typing by hand; never returned again
    otpauth_uri: str
    qr_image: str  # data: URI of an SVG QR code of otpauth_uri


class CodeRequest(Strict):
    code: Code


class DisableTwoStepRequest(Strict):
    password: RawPassword
    code: Code


class CloseAccountRequest(Strict):
    password: RawPassword
    code: Code | None = None  # required when two-step sign-in is on


class NewRecoveryCodesRequest(Strict):
    password: RawPassword
    code: Code


class RecoveryCodes(BaseModel):
    recovery_codes: list[str]  # shown once; each works once


class TwoStepChallengeResponse(BaseModel):
    """The password was right, and a second step follows before any session exists."""

    next_step: Literal["two_step", "two_step_enrolment"]
    challenge: str
    expires_in: int


class ChallengeRequest(Strict):
    challenge: ChallengeToken


class ChallengeCodeRequest(Strict):
    challenge: ChallengeToken
    code: Code


class EnrolledTokens(TokenResponse):
    recovery_codes: list[str]


class AccountExport(MePublic):
    email_verified_at: datetime | None
    updated_at: datetime


class IdentityExport(BaseModel):
    """Everything identity keeps about the account that is the person's own data (no secrets:
    password hash, authenticator secret and recovery codes stay out)."""

    account: AccountExport
    sessions: list[SessionPublic]
    two_step: TwoStepStatus
