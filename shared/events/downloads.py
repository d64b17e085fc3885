"""Events about releases, topic `downloads.release` (key: release id).

`ReleasePublished` and `ReleaseWithdrawn` are written by the downloads service through its
outbox when the product team publishes or withdraws a release (HTTP API or `support-release`).
A corrected release is published again under the same release id with new facts.

Its `title` and `notes` are the English text; `translations` (optional, added later) carries
them in other languages. A consumer that does not know `translations` keeps working on the
English text (events ignore unknown fields), and an event from an older tool has none, so
`text_in` falls back to English for every language missing.
"""

from collections.abc import Mapping
from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from shared.entitlements import ReleaseChannel, ReleaseKind, sees_channel
from shared.events.base import Event
from shared.i18n import Locale

TOPIC = "downloads.release"

__all__ = ["ReleaseChannel", "ReleaseKind"]


class Artifact(BaseModel):
    filename: str
    object_key: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str = "application/octet-stream"


class ReleaseText(BaseModel):
    """A release's title and notes in one language."""

    title: str = Field(min_length=1)
    notes: str = ""


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
    translations: dict[Locale, ReleaseText] = Field(default_factory=dict)
    # Added later: an event without it is a stable release, as every release was before.
    channel: ReleaseChannel = "stable"
    # For a preview release: the holders of the product who had opted in to previews when it was
    # published (downloads keeps the choice). The announcement goes to them only.
    preview_accounts: list[UUID] = Field(default_factory=list)

    def may_announce_to(self, account_id: UUID) -> bool:
        """Whether this release's announcement is for this (entitled) account: the channel rule."""
        return sees_channel(self.channel, account_id in self.preview_accounts)

    def text_in(self, locale: Locale) -> ReleaseText:
        """Title and notes for a reader of `locale`: their language where given, else English."""
        return release_text_in(locale, ReleaseText(title=self.title, notes=self.notes), self.translations)


def release_text_in(
    locale: Locale, english: ReleaseText, translations: Mapping[Locale, ReleaseText]
) -> ReleaseText:
    """The one fallback rule for every reader of a release (mails, the catalog): the reader's
    language where given, else English; a translated title without translated notes shows the
    English notes."""
    given = translations.get(locale)
    if given is None:
        return english
    return ReleaseText(title=given.title, notes=given.notes or english.notes)


class ReleaseWithdrawn(Event):
    """A published release taken back: gone from catalogs, no longer granted, never announced again."""

    topic = TOPIC
    type = "downloads.ReleaseWithdrawn.v1"
    subject_field = "release_id"

    release_id: UUID
    product: str
    version: str
    kind: ReleaseKind
    reason: str
    replaced_by: UUID | None = None


class DownloadRecorded(Event):
    topic = TOPIC
    type = "downloads.DownloadRecorded.v1"
    subject_field = "release_id"

    release_id: UUID
    account_id: UUID
    filename: str
