"""The release role's use cases: draft, edit, publish, withdraw, correct.

One implementation for the Releases screen and `support-release` (which calls this API).
Functions only flush: the request owns the transaction, so a publish and its outbox row, or a
withdrawal and its event, commit together or not at all.

`ReleasePublished` goes out once per set of facts: publishing again unchanged sends nothing; a
correction (new title, notes, files) publishes the same release id with the new facts, which
consumers apply as an update (the notifier announces a release id once). A withdrawn release is
final: it leaves the catalogs, is never granted, and cannot be edited or published again.
"""

import hashlib
from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.downloads.channels import preview_holders
from services.downloads.events import release_published, release_withdrawn
from services.downloads.models import ArtifactUpload, AuditEntry, Release, ReleaseArtifact, ReleaseState
from services.downloads.problems import (
    ARTIFACT_NOT_FOUND,
    RELEASE_NOT_FOUND,
    RELEASE_STATE_CONFLICT,
    RELEASE_WITHDRAWN,
)
from services.downloads.release_dates import publication_date
from services.downloads.release_ids import release_id_of
from services.downloads.release_schemas import ReleaseCreate, ReleaseEdit
from services.downloads.service import artifacts_of
from services.downloads.texts import (
    ADD_A_FILE_FIRST,
    CHECK_RELEASE_ID,
    CORRECTS_OTHER_PRODUCT,
    ONLY_PUBLISHED_WITHDRAWN,
    PICK_LISTED_FILE,
    WITHDRAWN_FOR_GOOD,
)
from shared import clock
from shared.audit import SYSTEM, record
from shared.auth import Principal
from shared.events import ReleasePublished
from shared.http.problems import Problem
from shared.outbox import add_event

SERVICE = "downloads"
RELEASE_ROLE = "release"


def audit(
    session: AsyncSession, user: Principal, action: str, release: Release, reason: str = "", **details: object
) -> None:
    """One audit line in the caller's transaction, naming the release, its product and version.
    `details` are stored as JSON: pass strings, numbers, booleans or lists of them."""
    record(
        session,
        AuditEntry,
        actor_id=user.user_id,
        actor_email=user.email or SYSTEM,
        action=action,
        target=str(release.release_id),
        reason=reason,
        product=release.product,
        version=release.version,
        **details,
    )


async def managed_release(session: AsyncSession, release_id: UUID, *, lock: bool = False) -> Release:
    release = await session.get(Release, release_id, with_for_update=lock)
    if release is None:
        raise Problem(RELEASE_NOT_FOUND, detail=CHECK_RELEASE_ID())
    return release


def refuse_if_withdrawn(release: Release) -> None:
    if release.state == "withdrawn":
        raise Problem(
            RELEASE_WITHDRAWN, detail=WITHDRAWN_FOR_GOOD(product=release.product, version=release.version)
        )


async def editable_release(session: AsyncSession, release_id: UUID) -> Release:
    release = await managed_release(session, release_id, lock=True)
    refuse_if_withdrawn(release)
    return release


async def create_release(
    session: AsyncSession, user: Principal, draft: ReleaseCreate
) -> tuple[Release, bool]:
    """A new draft, or the release these product, version and kind already name (created=False)."""
    release_id = release_id_of(draft.product, draft.version, draft.kind)
    existing = await session.get(Release, release_id)
    if existing is not None:
        refuse_if_withdrawn(existing)
        return existing, False
    if draft.corrects is not None:
        corrected = await managed_release(session, draft.corrects)
        if (corrected.product, corrected.kind) != (draft.product, draft.kind):
            raise Problem(RELEASE_STATE_CONFLICT, detail=CORRECTS_OTHER_PRODUCT())
    release = Release(
        release_id=release_id,
        product=draft.product,
        version=draft.version,
        kind=draft.kind,
        channel=draft.channel,
        title=draft.title,
        notes=draft.notes,
        translations={locale: text.model_dump() for locale, text in draft.translations.items()},
        state="draft",
        corrects=draft.corrects,
        changed_by=user.user_id,
        updated_at=clock.now(),
    )
    session.add(release)
    audit(session, user, "release.create", release, kind=release.kind, channel=release.channel)
    await session.flush()
    return release, True


async def edit_release(
    session: AsyncSession, user: Principal, release_id: UUID, edit: ReleaseEdit
) -> Release:
    release = await editable_release(session, release_id)
    if edit.channel is not None:
        release.channel = edit.channel
    if edit.title is not None:
        release.title = edit.title
    if edit.notes is not None:
        release.notes = edit.notes
    if edit.translations is not None:
        release.translations = {locale: text.model_dump() for locale, text in edit.translations.items()}
    release.changed_by = user.user_id
    release.updated_at = clock.now()
    session.add(release)
    audit(session, user, "release.edit", release, fields=sorted(edit.model_dump(exclude_none=True)))
    await session.flush()
    return release


async def remove_artifact(session: AsyncSession, user: Principal, release_id: UUID, filename: str) -> Release:
    """Take a file out of a release (a published one: publish again to announce the correction).
    The bytes stay in the object store: a customer may be downloading them right now."""
    release = await editable_release(session, release_id)
    artifact = await session.get(ReleaseArtifact, (release_id, filename))
    if artifact is None:
        raise Problem(ARTIFACT_NOT_FOUND, detail=PICK_LISTED_FILE())
    await session.delete(artifact)
    audit(session, user, "release.remove-file", release, filename=filename)
    release.changed_by = user.user_id
    release.updated_at = clock.now()
    session.add(release)
    await session.flush()
    return release


def _digest(event: ReleasePublished) -> str:
    # The facts of the release; who opted in to previews since is not a new release.
    return hashlib.sha256(event.model_dump_json(exclude={"preview_accounts"}).encode()).hexdigest()


async def publish_release(
    session: AsyncSession, user: Principal, release_id: UUID, published_on: date | None = None
) -> tuple[Release, bool]:
    """Publish (or re-publish a correction). True when a ReleasePublished was queued."""
    release = await editable_release(session, release_id)
    artifacts = await artifacts_of(session, [release_id])
    if not artifacts[release_id]:
        raise Problem(RELEASE_STATE_CONFLICT, detail=ADD_A_FILE_FIRST())
    # The first publish's date stays unless one is given: moving it would lock the release for
    # customers whose coverage lapsed since.
    release.published_on = publication_date(published_on, release.published_on)
    preview = await preview_holders(session, release.product) if release.channel == "preview" else []
    event = release_published(release, artifacts[release_id], preview)
    digest = _digest(event)
    announced = digest != release.published_digest
    if announced:
        await add_event(session, event, source=SERVICE)
    audit(
        session,
        user,
        "release.publish",
        release,
        announced=announced,
        published_on=release.published_on.isoformat(),
    )
    release.state = "published"
    release.published_digest = digest
    release.changed_by = user.user_id
    release.updated_at = clock.now()
    session.add(release)
    if release.corrects is not None:
        corrected = await managed_release(session, release.corrects, lock=True)
        if corrected.state == "published":
            await _withdraw(
                session, user, corrected, f"replaced by {release.version}", replaced_by=release_id
            )
    await session.flush()
    return release, announced


async def withdraw_release(session: AsyncSession, user: Principal, release_id: UUID, reason: str) -> Release:
    """Take a published release back for good (withdrawing twice is a no-op)."""
    release = await managed_release(session, release_id, lock=True)
    if release.state == "withdrawn":
        return release
    if release.state != "published":
        raise Problem(RELEASE_STATE_CONFLICT, detail=ONLY_PUBLISHED_WITHDRAWN())
    await _withdraw(session, user, release, reason)
    await session.flush()
    return release


async def _withdraw(
    session: AsyncSession, user: Principal, release: Release, reason: str, replaced_by: UUID | None = None
) -> None:
    audit(
        session,
        user,
        "release.withdraw",
        release,
        reason,
        replaced_by=str(replaced_by) if replaced_by else None,
    )
    release.state = "withdrawn"
    release.withdrawn_reason = reason
    release.changed_by = user.user_id
    release.updated_at = clock.now()
    session.add(release)
    await add_event(
        session,
        release_withdrawn(release, reason, replaced_by),
        source=SERVICE,
    )


# --- reading ------------------------------------------------------------------------------------


async def open_uploads_of(
    session: AsyncSession, release_ids: Sequence[UUID]
) -> dict[UUID, list[ArtifactUpload]]:
    found: dict[UUID, list[ArtifactUpload]] = {release_id: [] for release_id in release_ids}
    if release_ids:
        rows = await session.execute(
            select(ArtifactUpload)
            .where(col(ArtifactUpload.release_id).in_(release_ids), col(ArtifactUpload.state) == "uploading")
            .order_by(col(ArtifactUpload.created_at))
        )
        for upload in rows.scalars():
            found[upload.release_id].append(upload)
    return found


async def list_managed(
    session: AsyncSession, *, state: ReleaseState | None, product: str | None, limit: int, offset: int
) -> list[Release]:
    query = select(Release)
    if state is not None:
        query = query.where(col(Release.state) == state)
    if product is not None:
        query = query.where(col(Release.product) == product)
    query = query.order_by(col(Release.updated_at).desc()).limit(limit).offset(offset)
    return list((await session.execute(query)).scalars())
