"""Events of the licensing service, topic `licensing.license` (key: license id).

Bound events carry the whole coverage so no consumer has to call licensing back, and the owner:
`organization_id` when the license belongs to an organization (bound by one of its members),
None when it belongs to the account alone. The field is optional, so events written before
organizations existed still parse (as personal holdings).
"""

from datetime import date
from uuid import UUID

from shared.events.base import Event

TOPIC = "licensing.license"


class LicenseIssued(Event):
    topic = TOPIC
    type = "licensing.LicenseIssued.v1"
    subject_field = "license_id"

    license_id: UUID
    serial: str
    product: str
    edition: str
    seats: int
    purchased_on: date
    warranty_ends: date


class ContractIssued(Event):
    topic = TOPIC
    type = "licensing.ContractIssued.v1"
    subject_field = "license_id"

    license_id: UUID
    contract_id: UUID
    serial: str
    starts_on: date
    ends_on: date


class LicenseBound(Event):
    topic = TOPIC
    type = "licensing.LicenseBound.v1"
    subject_field = "license_id"

    license_id: UUID
    account_id: UUID
    serial: str
    product: str
    edition: str
    seats: int
    coverage_start: date
    coverage_end: date
    organization_id: UUID | None = None


class ContractBound(Event):
    topic = TOPIC
    type = "licensing.ContractBound.v1"
    subject_field = "license_id"

    license_id: UUID
    contract_id: UUID
    account_id: UUID
    serial: str
    product: str
    starts_on: date
    ends_on: date
    coverage_start: date
    coverage_end: date
    organization_id: UUID | None = None


class LicenseVoided(Event):
    """A license (or one of its contracts) was voided: projections recompute coverage."""

    topic = TOPIC
    type = "licensing.LicenseVoided.v1"
    subject_field = "license_id"

    license_id: UUID
    account_id: UUID | None
    serial: str
    product: str
    license_void: bool
    coverage_start: date | None
    coverage_end: date | None
    organization_id: UUID | None = None


class LicenseRestored(Event):
    """A void license (or one of its void contracts) was restored by the back office: projections
    hold the license again with this coverage. The counterpart of LicenseVoided."""

    topic = TOPIC
    type = "licensing.LicenseRestored.v1"
    subject_field = "license_id"

    license_id: UUID
    contract_id: UUID | None  # the restored contract; None when the license itself was restored
    account_id: UUID | None
    serial: str
    product: str
    coverage_start: date
    coverage_end: date
    organization_id: UUID | None = None


class BindingMoved(Event):
    topic = TOPIC
    type = "licensing.BindingMoved.v1"
    subject_field = "license_id"

    license_id: UUID
    serial: str
    product: str
    edition: str
    seats: int
    from_account_id: UUID
    to_account_id: UUID
    coverage_start: date
    coverage_end: date
    organization_id: UUID | None = None  # the owner after the move
