"""Request and response models of organizations, members and invitations."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

import phonenumbers
from pydantic import BaseModel, Field, StringConstraints, field_validator

from services.identity.normalize import normalize_email
from services.identity.schemas import NO_NUL, RawEmail, Strict, Token, check_name
from shared.events.organizations import OrganizationRole
from shared.i18n import Locale

OrganizationName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]
Country = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$")]
InvitationStatus = Literal["pending", "accepted", "revoked", "expired"]


def _known_country(value: str) -> str:
    # The phone-number metadata names every ISO 3166-1 region a customer can be in.
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError("Not a country code; use ISO 3166-1 alpha-2, e.g. TW, CN, JP, US")
    return value


class OrganizationCreate(Strict):
    name: OrganizationName
    country: Country
    bring_licenses: bool = Field(
        default=False, description="Hand the licenses bound to me personally over to the organization"
    )

    _name = field_validator("name")(check_name)
    _country = field_validator("country")(_known_country)


class OrganizationUpdate(Strict):
    name: OrganizationName | None = None
    country: Country | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else check_name(value)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else _known_country(value)


class InvitationCreate(Strict):
    email: RawEmail
    role: OrganizationRole = "member"
    locale: Locale | None = Field(
        default=None,
        description="Language of the mail to an address with no account yet (an account's own "
        "language wins); default: the inviter's",
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)


class InvitationToken(Strict):
    token: Token


class InvitationAccept(InvitationToken):
    bring_licenses: bool = Field(
        default=False, description="Hand the licenses bound to me personally over to the organization"
    )


class RoleChange(Strict):
    role: OrganizationRole


class MemberPublic(BaseModel):
    user_id: uuid.UUID
    name: str
    email: str
    role: OrganizationRole
    joined_at: datetime


class InvitationPublic(BaseModel):
    id: uuid.UUID
    email: str
    role: OrganizationRole
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime


class OrganizationPublic(BaseModel):
    id: uuid.UUID
    name: str
    country: str
    my_role: OrganizationRole
    members: list[MemberPublic]
    # Only administrators see the invitations.
    invitations: list[InvitationPublic] = []


class MyOrganization(BaseModel):
    organization: OrganizationPublic | None


class InvitationPreview(BaseModel):
    """What the join page shows before the invitee accepts."""

    organization_name: str
    inviter_name: str
    email: str
    role: OrganizationRole
    expires_at: datetime
