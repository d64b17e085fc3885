"""API models of the cases service."""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.cases.sla import SlaState
from shared.events.cases import CaseCategory, CaseSeverity, CaseStatus

Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Version = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]

SEVERITY_HELP = (
    "critical: production is down or data is at risk; high: a major function fails with no "
    "workaround; normal: a function fails but work goes on; low: a question or cosmetic issue"
)


class Environment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    os: ShortText | None = Field(default=None, description="Operating system and version")
    database: ShortText | None = Field(default=None, description="Database and version")
    app_server: ShortText | None = Field(default=None, description="Application server and version")
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    license_id: UUID = Field(description="A license bound to your account")
    category: CaseCategory
    severity: CaseSeverity = Field("normal", description=SEVERITY_HELP)
    product_version: Version | None = Field(
        default=None, description="The version the question is about ('other' when it is not listed)"
    )
    environment: Environment = Field(default_factory=lambda: Environment())
    subject: Subject
    description: Text
    private: bool = Field(
        default=False, description="On an organization's license: only you and support see the case"
    )


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Text
    internal: bool = Field(False, description="Staff only: a note customers never see")
    status: Literal["in_progress", "waiting_on_customer", "resolved"] | None = Field(
        default=None, description="Staff only: the status after this reply (default: waiting on the customer)"
    )


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CaseStatus


class AssigneeChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee_id: UUID | None = Field(description="A staff member, or null to put the case back in the queue")


class SeverityChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: CaseSeverity


class PersonPublic(BaseModel):
    user_id: UUID
    name: str | None = None
    email: str | None = None
    locale: str | None = Field(default=None, description="Staff views: the language to answer in")


class MessagePublic(BaseModel):
    id: UUID
    author_id: UUID
    author_name: str | None = None
    by_staff: bool
    internal: bool
    body: str
    created_at: datetime


class CasePublic(BaseModel):
    id: UUID
    number: str
    status: CaseStatus
    category: CaseCategory
    severity: CaseSeverity
    subject: str
    description: str
    license_id: UUID
    product: str
    product_version: str | None
    environment: Environment
    account_id: UUID
    organization_id: UUID | None = Field(None, description="The organization that owns the case, if any")
    private: bool = Field(False, description="Only the reporter (and support) see it in the organization")
    assignee_id: UUID | None
    opened_at: datetime
    first_response_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    sla_due_at: datetime | None
    sla_state: SlaState
    may_reopen: bool = Field(False, description="The customer may still reopen this resolved case")


class CaseDetail(CasePublic):
    customer: PersonPublic
    messages: list[MessagePublic]


class CoveragePublic(BaseModel):
    license_id: UUID
    serial: str
    product: str
    coverage_start: date
    coverage_end: date
    covered_today: bool
    void: bool


class ChangePublic(BaseModel):
    kind: str
    old_value: str | None
    new_value: str | None
    actor_id: UUID | None
    actor_name: str | None = None
    reason: str
    at: datetime


class CaseWorkspace(CaseDetail):
    """The staff view: the case, its license and coverage, history, and the customer's other cases."""

    assignee: PersonPublic | None
    license: CoveragePublic | None
    history: list[ChangePublic]
    other_cases: list[CasePublic]


class QueueItem(CasePublic):
    customer_name: str | None = None
    assignee_name: str | None = None


class QueueCounts(BaseModel):
    all: int
    mine: int
    unassigned: int
    breaching_soon: int


class QueuePage(BaseModel):
    items: list[QueueItem]
    counts: QueueCounts
    total: int = Field(description="Cases in the chosen view with these filters")


class StaffPublic(BaseModel):
    user_id: UUID
    name: str | None
    email: str | None
    roles: list[str]


class CustomerSummary(BaseModel):
    user_id: UUID
    name: str | None
    email: str | None
    locale: str | None
    licenses: list[CoveragePublic]
    open_cases: int
    cases: int


class CustomerFile(CustomerSummary):
    case_list: list[CasePublic]


class CannedAnswer(BaseModel):
    topic: str
    body: str


class AttachmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    size: int = Field(ge=1, le=10 * 1024**3, description="Exact size in bytes (the upload must match)")
    content_type: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = Field(
        default="application/octet-stream"
    )


class AttachmentPublic(BaseModel):
    id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str | None
    uploader_id: UUID
    by_staff: bool
    created_at: datetime
    completed_at: datetime | None
    download_url: str | None = Field(default=None, description="Short-lived; only for completed uploads")
    download_expires_at: datetime | None = None


class UploadFormPublic(BaseModel):
    url: str
    fields: dict[str, str] = Field(description="Send these, then the file as `file`, as multipart/form-data")
    expires_at: datetime


class UploadStarted(BaseModel):
    attachment: AttachmentPublic
    upload: UploadFormPublic


Region = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]  # ISO 3166 alpha-2, e.g. TW
ProductCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class PartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    region: Region = Field(description="ISO 3166 alpha-2 code of the region served, e.g. TW")
    contact: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)] = Field(
        description="Phone, email or address the customer uses to reach the partner"
    )
    products: list[ProductCode] = Field(min_length=1, max_length=50)


class PartnerPublic(PartnerIn):
    id: UUID
    updated_at: datetime


class PartnerRecommendation(BaseModel):
    partners: list[PartnerPublic]
    body: str = Field(description="Text for a reply, in the requested language; empty without partners")
