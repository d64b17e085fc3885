"""API models of the downloads service."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from shared.entitlements import ReleaseChannel, ReleaseKind


class ArtifactPublic(BaseModel):
    filename: str
    size: int
    sha256: str
    content_type: str


class ReleasePublic(BaseModel):
    release_id: UUID
    product: str
    version: str
    kind: ReleaseKind
    channel: ReleaseChannel
    title: str = Field(
        description="In the language Accept-Language asks for where the release has it, else English"
    )
    notes: str = Field(description="In the same language as `title`, else English")
    published_on: date
    entitled: bool
    reason: str | None = Field(None, description="Why the release cannot be downloaded, when it cannot")
    artifacts: list[ArtifactPublic]


class DownloadGrant(BaseModel):
    url: str = Field(description="Presigned GET URL; valid until `expires_at`")
    sha256: str
    size: int
    expires_at: datetime


class ChannelChoicePublic(BaseModel):
    preview: bool = Field(description="Also see (and be told of) preview releases of the products you hold")
