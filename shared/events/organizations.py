"""Events of organizations (companies whose members share licenses, downloads and cases).

They travel on identity's topic `identity.user`, keyed by the member's user id: one account
belongs to at most one organization, so what a service must keep in order is the membership of
each user (added, then removed, then perhaps added elsewhere), and every service that needs
memberships already reads that topic.
"""

from typing import Literal
from uuid import UUID

from pydantic import EmailStr

from shared.events.base import Event
from shared.events.identity import TOPIC, Locale

OrganizationRole = Literal["admin", "member"]
# Why a membership ended: the member left, an organization admin removed them, or staff did.
RemovalReason = Literal["left", "removed"]


class OrganizationMemberAdded(Event):
    """`user_id` belongs to `organization_id` from now on. `bring_licenses`: the member chose
    to hand the licenses bound to them personally over to the organization (asked, never silent)."""

    topic = TOPIC
    type = "identity.OrganizationMemberAdded.v1"
    subject_field = "user_id"

    user_id: UUID
    organization_id: UUID
    organization_name: str
    role: OrganizationRole
    bring_licenses: bool = False


class OrganizationMemberRemoved(Event):
    """`user_id` no longer belongs to `organization_id`: what the organization holds stays with
    it, and the former member's access to it ends."""

    topic = TOPIC
    type = "identity.OrganizationMemberRemoved.v1"
    subject_field = "user_id"

    user_id: UUID
    organization_id: UUID
    reason: RemovalReason


class OrganizationDissolved(Event):
    """The organization `organization_id` no longer exists: its last member `user_id` (an
    administrator with no one else left) dissolved it, and what it held falls back to them
    personally: licensing moves its licenses to them (`BindingMoved`, so every holdings copy
    follows, contracts with their license) and cases makes its cases theirs. Keyed by the user,
    as their membership events are, so it stays in order with them."""

    topic = TOPIC
    type = "identity.OrganizationDissolved.v1"
    subject_field = "user_id"

    user_id: UUID
    organization_id: UUID


class OrganizationRenamed(Event):
    """`organization_id` is now called `name`. Services that print the organization (the
    licensee of its license files) keep the name from `OrganizationMemberAdded` and this."""

    topic = TOPIC
    type = "identity.OrganizationRenamed.v1"
    subject_field = "organization_id"

    organization_id: UUID
    name: str


class OrganizationInvitationSent(Event):
    """An invitation must be mailed to `email`, in `locale`. The token travels only here and in
    the mail (identity keeps its hash)."""

    topic = TOPIC
    type = "identity.OrganizationInvitationSent.v1"
    subject_field = "invitation_id"

    invitation_id: UUID
    organization_id: UUID
    organization_name: str
    inviter_name: str
    email: EmailStr
    name: str  # the invitee's name if the address has an account, else the address itself
    locale: Locale
    accept_url: str
    expires_in_hours: int
