"""API models of the release role's endpoints (drafts, uploads, publish, withdraw)."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, Field

from services.downloads.models import ReleaseState, UploadState
from services.downloads.multipart import MAX_OBJECT_SIZE
from services.downloads.release_ids import NAME_PATTERN
from services.downloads.schemas import ArtifactPublic
from shared.dates import BusinessDate
from shared.entitlements import ReleaseChannel, ReleaseKind
from shared.events.downloads import ReleaseText
from shared.filenames import is_safe_filename, safe_filename
from shared.i18n import Locale

ReleaseName = Annotated[str, Field(pattern=NAME_PATTERN)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Notes = Annotated[str, Field(max_length=20_000)]


def _portable(name: str) -> str:
    # Customers save what we name: a name their file system would rewrite is refused here.
    if not is_safe_filename(name):
        raise ValueError(f"not a portable file name; rename it, e.g. to {safe_filename(name)!r}")
    return name


class ReleaseCreate(BaseModel):
    product: ReleaseName = Field(examples=["OMFLOW"])
    version: ReleaseName = Field(examples=["5.2.1"])
    kind: ReleaseKind
    channel: ReleaseChannel = "stable"
    title: Title = Field(description="English: the text every language without its own falls back to")
    notes: Notes = ""
    translations: dict[Locale, ReleaseText] = Field(default_factory=dict)
    corrects: UUID | None = Field(
        None, description="A published release this one replaces: publishing this one withdraws it"
    )


class ReleaseEdit(BaseModel):
    """Fields to change; what is left out stays."""

    channel: ReleaseChannel | None = None
    title: Title | None = None
    notes: Notes | None = None
    translations: dict[Locale, ReleaseText] | None = None


class UploadStart(BaseModel):
    filename: Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_portable)]
    size: int = Field(ge=1, le=MAX_OBJECT_SIZE, description="Bytes of the whole file")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Checked once the upload completes")
    content_type: str = Field("application/octet-stream", max_length=127, pattern=r"^[\w.+-]+/[\w.+-]+$")


class UploadPublic(BaseModel):
    upload_id: UUID
    filename: str
    size: int
    sha256: str
    part_size: int = Field(description="Every part but the last has exactly this many bytes")
    part_count: int
    state: UploadState
    uploaded_parts: list[int] = Field(
        default_factory=list, description="Parts the object store already has (resume from here)"
    )
    created_at: datetime


class PartUrlsRequest(BaseModel):
    parts: list[int] = Field(min_length=1, max_length=1000, description="Part numbers, from 1")


class PartUrl(BaseModel):
    number: int
    url: str = Field(description="PUT the part's bytes here")


class PartUrls(BaseModel):
    parts: list[PartUrl]
    expires_at: datetime


class PublishRequest(BaseModel):
    published_on: BusinessDate | None = Field(
        None, description="Default: the date of the first publish; for a new release, today"
    )


class WithdrawRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class ManagedRelease(BaseModel):
    release_id: UUID
    product: str
    version: str
    kind: ReleaseKind
    channel: ReleaseChannel
    state: ReleaseState
    title: str
    notes: str
    translations: dict[Locale, ReleaseText]
    published_on: date | None
    corrects: UUID | None
    withdrawn_reason: str | None
    artifacts: list[ArtifactPublic]
    uploads: list[UploadPublic] = Field(description="Uploads not verified yet")
    updated_at: datetime


class PublishOutcome(BaseModel):
    release: ManagedRelease
    announced: bool = Field(description="False when the same facts were already published")
