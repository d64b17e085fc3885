"""Events about releases, topic `downloads.release` (key: release id).

`ReleasePublished` is produced by the product team's release tool (`support-release publish`),
the one producer with no database: it is idempotent by release id instead of by outbox.
"""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.events.base import Event

TOPIC = "downloads.release"

ReleaseKind = Literal["product", "update", "document"]


class Artifact(BaseModel):
    filename: str
    object_key: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str = "application/octet-stream"


class ReleasePublished(Event):
    topic = TOPIC
    type = "downloads.ReleasePublished.v1"
    subject_field = "release_id"

    release_id: UUID
    product: str
    version: str
    kind: ReleaseKind
    title: str
    notes: str = ""
    published_on: date
    artifacts: list[Artifact]


class DownloadRecorded(Event):
    topic = TOPIC
    type = "downloads.DownloadRecorded.v1"
    subject_field = "release_id"

    release_id: UUID
    account_id: UUID
    filename: str
