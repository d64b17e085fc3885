"""Artifact uploads of the release role: presigned multipart, resumable, verified by SHA-256.

The bytes never pass through the service on the way in: the uploader PUTs each part to a
presigned URL. On completion the service checks that every part arrived and that they add up
to the declared size, completes the upload, then reads the object once to compare its SHA-256
with the declared one. A mismatch discards the object and marks the upload rejected (kept, so
the uploader can see why); a match makes the file an artifact of the release, replacing the
file of the same name.

MinIO calls are blocking (minio-py): they run in a worker thread, never on the event loop.
"""

import asyncio
from uuid import UUID, uuid4

from minio.error import S3Error
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.downloads.models import ArtifactUpload, ReleaseArtifact
from services.downloads.multipart import ObjectStore, StoredPart, part_count, part_size_for
from services.downloads.problems import UPLOAD_INCOMPLETE, UPLOAD_NOT_FOUND, UPLOAD_REJECTED
from services.downloads.release_schemas import PartUrl, PartUrls, UploadStart
from services.downloads.releases import audit, editable_release
from services.downloads.storage import Presigner
from services.downloads.texts import (
    CHECK_UPLOAD_ID,
    CHECKSUM_MISMATCH,
    PART_NUMBERS,
    PARTS_MISSING,
    SIZE_MISMATCH,
    UPLOAD_FINISHED,
    UPLOAD_LOST,
)
from shared.auth import Principal
from shared.http.problems import VALIDATION, Problem

SHOWN_MISSING_PARTS = 20  # a refusal names this many missing parts at most


def object_key(product: str, version: str, upload_id: UUID, filename: str) -> str:
    return f"releases/{product}/{version}/{upload_id}/{filename}"


async def start_upload(
    session: AsyncSession, store: ObjectStore, user: Principal, release_id: UUID, body: UploadStart
) -> ArtifactUpload:
    release = await editable_release(session, release_id)
    upload_id = uuid4()
    key = object_key(release.product, release.version, upload_id, body.filename)
    storage_upload_id = await asyncio.to_thread(store.start_upload, key, body.content_type)
    upload = ArtifactUpload(
        upload_id=upload_id,
        release_id=release_id,
        filename=body.filename,
        object_key=key,
        storage_upload_id=storage_upload_id,
        size=body.size,
        sha256=body.sha256,
        content_type=body.content_type,
        part_size=part_size_for(body.size),
        created_by=user.user_id,
    )
    session.add(upload)
    await session.flush()
    return upload


async def upload_of(
    session: AsyncSession, release_id: UUID, upload_id: UUID, *, lock: bool = False
) -> ArtifactUpload:
    upload = await session.get(ArtifactUpload, upload_id, with_for_update=lock)
    if upload is None or upload.release_id != release_id:
        raise Problem(UPLOAD_NOT_FOUND, detail=CHECK_UPLOAD_ID())
    return upload


def _still_uploading(upload: ArtifactUpload) -> None:
    if upload.state != "uploading":
        raise Problem(UPLOAD_INCOMPLETE, detail=UPLOAD_FINISHED(state=upload.state))


async def _stored_parts(store: ObjectStore, upload: ArtifactUpload) -> list[StoredPart]:
    try:
        return await asyncio.to_thread(store.uploaded_parts, upload.object_key, upload.storage_upload_id)
    except S3Error as error:
        if error.code != "NoSuchUpload":
            raise
        raise Problem(UPLOAD_NOT_FOUND, detail=UPLOAD_LOST()) from error


async def uploaded_parts(store: ObjectStore, upload: ArtifactUpload) -> list[int]:
    if upload.state != "uploading":
        return []
    return sorted(part.number for part in await _stored_parts(store, upload))


async def part_urls(
    session: AsyncSession, presigner: Presigner, release_id: UUID, upload_id: UUID, numbers: list[int]
) -> PartUrls:
    upload = await upload_of(session, release_id, upload_id)
    _still_uploading(upload)
    count = part_count(upload.size, upload.part_size)
    if any(not 1 <= number <= count for number in numbers):
        raise Problem(VALIDATION, detail=PART_NUMBERS(count=count))
    signed = [
        (number, presigner.upload_part_url(upload.object_key, upload.storage_upload_id, number))
        for number in sorted(set(numbers))
    ]
    return PartUrls(
        parts=[PartUrl(number=number, url=url.url) for number, url in signed],
        expires_at=min(url.expires_at for _, url in signed),
    )


async def _reject(session: AsyncSession, upload: ArtifactUpload) -> None:
    upload.state = "rejected"
    session.add(upload)
    await session.flush()


async def complete_upload(
    session: AsyncSession, store: ObjectStore, user: Principal, release_id: UUID, upload_id: UUID
) -> ArtifactUpload:
    """Complete the multipart upload, verify size and SHA-256, and make it an artifact."""
    release = await editable_release(session, release_id)
    upload = await upload_of(session, release_id, upload_id, lock=True)
    if upload.state == "verified":
        return upload  # a retried completion after a lost answer
    _still_uploading(upload)
    parts = await _stored_parts(store, upload)
    count = part_count(upload.size, upload.part_size)
    missing = sorted(set(range(1, count + 1)) - {part.number for part in parts})
    if missing:
        raise Problem(UPLOAD_INCOMPLETE, detail=PARTS_MISSING(parts=missing[:SHOWN_MISSING_PARTS]))
    received = sum(part.size for part in parts if part.number <= count)
    if received != upload.size:
        await asyncio.to_thread(store.abort, upload.object_key, upload.storage_upload_id)
        await _reject(session, upload)
        # keep_changes: the rejection is recorded, so the uploader sees why on the screen.
        detail = SIZE_MISMATCH(received=received, declared=upload.size)
        raise Problem(UPLOAD_REJECTED, detail=detail, keep_changes=True)
    await asyncio.to_thread(
        store.complete, upload.object_key, upload.storage_upload_id, [p for p in parts if p.number <= count]
    )
    sha256, _ = await asyncio.to_thread(store.sha256_of, upload.object_key)
    if sha256 != upload.sha256:
        await asyncio.to_thread(store.remove, upload.object_key)
        await _reject(session, upload)
        detail = CHECKSUM_MISMATCH(received=sha256, declared=upload.sha256)
        raise Problem(UPLOAD_REJECTED, detail=detail, keep_changes=True)
    upload.state = "verified"
    session.add(upload)
    audit(
        session,
        user,
        "release.add-file",
        release,
        filename=upload.filename,
        sha256=upload.sha256,
        size=upload.size,
    )
    row = {
        "release_id": release_id,
        "filename": upload.filename,
        "object_key": upload.object_key,
        "size": upload.size,
        "sha256": upload.sha256,
        "content_type": upload.content_type,
    }
    statement = insert(ReleaseArtifact).values(row)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[col(ReleaseArtifact.release_id), col(ReleaseArtifact.filename)],
            set_={
                name: statement.excluded[name] for name in ("object_key", "size", "sha256", "content_type")
            },
        )
    )
    await session.flush()
    return upload
