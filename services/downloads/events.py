"""The downloads service's events, each built from the model in one place: publishing,
correcting and withdrawing a release describe it the same way (the notifier mails from
ReleasePublished; other services keep catalogs of it)."""

from collections.abc import Sequence
from uuid import UUID

from services.downloads.models import Release, ReleaseArtifact
from services.downloads.service import TRANSLATIONS
from shared.events import Artifact, ReleasePublished, ReleaseWithdrawn


def release_published(
    release: Release, artifacts: Sequence[ReleaseArtifact], preview_accounts: Sequence[UUID] = ()
) -> ReleasePublished:
    """`preview_accounts`: who opted in to the product's previews (a preview release only)."""
    if release.published_on is None:
        raise ValueError(f"release {release.release_id} has no publication date")
    return ReleasePublished(
        release_id=release.release_id,
        product=release.product,
        version=release.version,
        kind=release.kind,
        channel=release.channel,
        title=release.title,
        notes=release.notes,
        translations=TRANSLATIONS.validate_python(release.translations),
        published_on=release.published_on,
        preview_accounts=list(preview_accounts) if release.channel == "preview" else [],
        artifacts=[
            Artifact(
                filename=a.filename,
                object_key=a.object_key,
                size=a.size,
                sha256=a.sha256,
                content_type=a.content_type,
            )
            for a in artifacts
        ],
    )


def release_withdrawn(release: Release, reason: str, replaced_by: UUID | None = None) -> ReleaseWithdrawn:
    return ReleaseWithdrawn(
        release_id=release.release_id,
        product=release.product,
        version=release.version,
        kind=release.kind,
        reason=reason,
        replaced_by=replaced_by,
    )
