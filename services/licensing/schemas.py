"""API models of the licensing service."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.licensing.models import AuditAction, AuditEntry, ContractBase, License, LicenseBase
from shared.bidi import has_bidi_controls
from shared.dates import BusinessDate
from shared.entitlements import CoverageStatus

Text = Field(min_length=1, max_length=500)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- back office -----------------------------------------------------------------------------


class LicensePublic(LicenseBase):
    """A license as anyone shown it reads it: its terms and its serial."""

    serial: str


class LicenseIssue(LicenseBase):
    """Issuing a license: its terms, and the customer reference of the sale."""

    # SQLModel types its config as a TypedDict of pydantic's options; pydantic reads it per class.
    model_config = {"extra": "forbid"}  # noqa: RUF012

    customer_ref: str | None = Field(default=None, max_length=120)

    @field_validator("edition", "customer_ref")
    @classmethod
    def _no_bidi_controls(cls, value: str | None) -> str | None:
        if value is not None and has_bidi_controls(value):
            raise ValueError("must not contain text-direction control characters")
        return value

    @model_validator(mode="after")
    def _warranty_after_purchase(self) -> "LicenseIssue":
        if self.warranty_ends <= self.purchased_on:
            raise ValueError("warranty_ends must be after purchased_on")
        return self


class LicenseIssued(LicensePublic):
    """The answer to issuance: the registration number is shown here once and never again."""

    license_id: UUID
    registration_number: str
    customer_ref: str | None
    issued_at: datetime


class ContractIssue(ContractBase):
    # SQLModel types its config as a TypedDict of pydantic's options; pydantic reads it per class.
    model_config = {"extra": "forbid"}  # noqa: RUF012

    @model_validator(mode="after")
    def _ends_after_start(self) -> "ContractIssue":
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class ContractIssued(ContractBase):
    contract_id: UUID
    license_id: UUID
    serial: str
    registration_number: str
    issued_at: datetime


class VoidRequest(_Strict):
    reason: str = Text


class MoveRequest(_Strict):
    to_account_id: UUID
    reason: str = Text


class ContractAdminView(ContractBase):
    id: UUID
    bound_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None


class LicenseAdminView(LicensePublic):
    id: UUID
    customer_ref: str | None
    account_id: UUID | None
    account_email: str | None
    organization_id: UUID | None = Field(default=None, description="The owning organization, if any")
    organization_name: str | None = Field(default=None, description="Its name, as licensing knows it")
    bound_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None
    issued_at: datetime
    contracts: list[ContractAdminView]


class AuditView(BaseModel):
    id: UUID
    at: datetime
    actor_id: UUID | None  # None: a command line or a scheduled job
    actor_email: str | None = None
    action: AuditAction
    target: str
    reason: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    details: dict[str, Any]

    @classmethod
    def of(cls, row: AuditEntry) -> "AuditView":
        details = dict(row.details)
        return cls(
            id=row.id,
            at=row.at,
            actor_id=row.actor_id,
            actor_email=row.actor_email,
            action=row.action,
            target=row.target,
            reason=row.reason,
            before=details.pop("before", None),
            after=details.pop("after", None),
            details=details,
        )


class AuditFilter(BaseModel):
    """Audit table filters: who (email or account id), what (action or its kind), when (days)."""

    actor: str | None = Field(default=None, max_length=200)
    action: str | None = Field(default=None, max_length=60, examples=["license.void", "contract"])
    since: BusinessDate | None = None
    until: BusinessDate | None = None


class LicenseState(StrEnum):
    """Where a license stands, as the back-office search narrows by it."""

    UNBOUND = "unbound"
    BOUND = "bound"
    VOID = "void"


class LicenseFilter(BaseModel):
    """Search narrowed by product, by state and by owning organization (its id, or part of its name)."""

    product: str | None = Field(default=None, max_length=40)
    state: LicenseState | None = None
    organization: str | None = Field(default=None, max_length=200)


class RestoreRequest(_Strict):
    reason: str = Text


class ContractTerms(BaseModel):
    """The back-pay rule applied to proposed contract dates, before anything is issued."""

    serial: str
    license_void: bool
    coverage_start: date
    coverage_end: date
    required_start: date
    starts_on: date | None
    ends_on: date | None
    fits: bool
    gap_start: date | None = None
    gap_end: date | None = None
    gap_days: int | None = None
    overlap_start: date | None = None
    overlap_end: date | None = None


class ImportProblem(BaseModel):
    line: int
    field: str
    message: str


class ImportCheck(BaseModel):
    """A dry run of an import: what would be issued, or every bad row with its line."""

    valid: bool
    rows: int
    bad_lines: int
    errors: list[ImportProblem]


class ImportResult(BaseModel):
    imported: int


def public_terms(license: License) -> dict[str, Any]:
    """The fields every view of a license shows (`LicensePublic`), read from the row."""
    return license.model_dump(include=set(LicensePublic.model_fields))


# --- customers -------------------------------------------------------------------------------


class LookupRequest(_Strict):
    serial: str = Field(min_length=1, max_length=64, examples=["OMF-7K3Q-M9PX-2DR3"])
    registration_number: str = Field(min_length=1, max_length=64)


class CoverageView(BaseModel):
    start: date
    end: date
    status: CoverageStatus
    lapsed_since: date | None = None


class LicensePreview(LicensePublic):
    coverage: CoverageView
    already_bound_to_you: bool


class TimelineKind(StrEnum):
    WARRANTY = "warranty"
    CONTRACT = "contract"


class TimelineEntry(BaseModel):
    kind: TimelineKind
    contract_id: UUID | None = None
    start: date
    end: date


class CustomerLicense(LicensePublic):
    id: UUID
    coverage: CoverageView
    status: CoverageStatus
    timeline: list[TimelineEntry]
    bound_at: datetime | None
    bound_by: str | None = Field(default=None, description="The name of whoever bound it")
    organization_id: UUID | None = Field(default=None, description="The owning organization, if any")
    file_url: str


class ContractPreview(ContractBase):
    serial: str
    product: str
    edition: str
    coverage_after: CoverageView
    already_bound_to_you: bool


class CustomerContract(ContractBase):
    id: UUID
    license_id: UUID
    serial: str
    product: str
    bound_at: datetime | None


class PublicKeyView(BaseModel):
    key_id: str
    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key: str  # base64 of the raw 32 bytes
    pem: str


class PublicKeySet(BaseModel):
    keys: list[PublicKeyView]
