"""Routes of the release role: drafts, presigned multipart uploads, publish, withdraw.

`support-release` and the Releases screen both use these; each route calls one use case.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.downloads import releases, uploads
from services.downloads.models import ArtifactUpload, Release, ReleaseState
from services.downloads.multipart import ObjectStore, part_count
from services.downloads.problems import (
    RELEASE_NOT_FOUND,
    RELEASE_STATE_CONFLICT,
    RELEASE_WITHDRAWN,
    UPLOAD_INCOMPLETE,
    UPLOAD_NOT_FOUND,
    UPLOAD_REJECTED,
)
from services.downloads.release_schemas import (
    ManagedRelease,
    PartUrls,
    PartUrlsRequest,
    PublishOutcome,
    PublishRequest,
    ReleaseCreate,
    ReleaseEdit,
    UploadPublic,
    UploadStart,
    WithdrawRequest,
)
from services.downloads.schemas import ArtifactPublic
from services.downloads.service import TRANSLATIONS, artifacts_of
from services.downloads.storage import Presigner
from shared.auth import Principal, require_roles
from shared.http.deps import Page, SessionDep, from_app_state, paging
from shared.http.problems import problem_responses

router = APIRouter(prefix="/admin/releases", tags=["release management"])
ReleaseTeam = Annotated[Principal, require_roles(releases.RELEASE_ROLE)]


StoreDep = Annotated[ObjectStore, from_app_state("object_store")]  # built once by create_app
PresignerDep = Annotated[Presigner, from_app_state("presigner")]


def _upload_public(upload: ArtifactUpload, uploaded: list[int] | None = None) -> UploadPublic:
    return UploadPublic(
        upload_id=upload.upload_id,
        filename=upload.filename,
        size=upload.size,
        sha256=upload.sha256,
        part_size=upload.part_size,
        part_count=part_count(upload.size, upload.part_size),
        state=upload.state,
        uploaded_parts=uploaded or [],
        created_at=upload.created_at,
    )


async def _managed(session: AsyncSession, found: list[Release]) -> list[ManagedRelease]:
    ids = [release.release_id for release in found]
    artifacts = await artifacts_of(session, ids)
    open_uploads = await releases.open_uploads_of(session, ids)
    return [
        ManagedRelease(
            release_id=release.release_id,
            product=release.product,
            version=release.version,
            kind=release.kind,
            channel=release.channel,
            state=release.state,
            title=release.title,
            notes=release.notes,
            translations=TRANSLATIONS.validate_python(release.translations),
            published_on=release.published_on,
            corrects=release.corrects,
            withdrawn_reason=release.withdrawn_reason,
            artifacts=[
                ArtifactPublic(filename=a.filename, size=a.size, sha256=a.sha256, content_type=a.content_type)
                for a in artifacts[release.release_id]
            ],
            uploads=[_upload_public(upload) for upload in open_uploads[release.release_id]],
            updated_at=release.updated_at,
        )
        for release in found
    ]


async def _one(session: AsyncSession, release: Release) -> ManagedRelease:
    return (await _managed(session, [release]))[0]


@router.get("", summary="Releases of every state, most recently changed first")
async def list_releases(
    session: SessionDep,
    user: ReleaseTeam,
    page: Annotated[Page, paging(default_limit=50, max_limit=200)],
    state: ReleaseState | None = None,
    product: Annotated[str | None, Query(max_length=64)] = None,
) -> list[ManagedRelease]:
    found = await releases.list_managed(
        session, state=state, product=product, limit=page.limit, offset=page.offset
    )
    return await _managed(session, found)


@router.post(
    "",
    status_code=201,
    summary="Create a draft (or find the release these product, version and kind name: 200)",
    responses=problem_responses(RELEASE_WITHDRAWN, RELEASE_STATE_CONFLICT, RELEASE_NOT_FOUND),
)
async def create_release(
    session: SessionDep, user: ReleaseTeam, body: ReleaseCreate, response: Response
) -> ManagedRelease:
    release, created = await releases.create_release(session, user, body)
    if not created:
        response.status_code = 200
    return await _one(session, release)


@router.get("/{release_id}", summary="One release with its files and unfinished uploads")
async def get_release(session: SessionDep, user: ReleaseTeam, release_id: UUID) -> ManagedRelease:
    return await _one(session, await releases.managed_release(session, release_id))


@router.patch(
    "/{release_id}",
    summary="Change channel, title or notes (a published release: publish again to announce the correction)",
    responses=problem_responses(RELEASE_WITHDRAWN),
)
async def edit_release(
    session: SessionDep, user: ReleaseTeam, release_id: UUID, body: ReleaseEdit
) -> ManagedRelease:
    return await _one(session, await releases.edit_release(session, user, release_id, body))


@router.delete(
    "/{release_id}/artifacts/{filename}",
    summary="Take a file out of the release (publish again to announce a published release's correction)",
    responses=problem_responses(RELEASE_WITHDRAWN),
)
async def remove_artifact(
    session: SessionDep, user: ReleaseTeam, release_id: UUID, filename: str
) -> ManagedRelease:
    return await _one(session, await releases.remove_artifact(session, user, release_id, filename))


@router.post(
    "/{release_id}/publish",
    summary="Publish: ReleasePublished once per set of facts; publishing unchanged again sends nothing",
    responses=problem_responses(RELEASE_WITHDRAWN, RELEASE_STATE_CONFLICT),
)
async def publish_release(
    session: SessionDep, user: ReleaseTeam, release_id: UUID, body: PublishRequest | None = None
) -> PublishOutcome:
    published_on = body.published_on if body else None
    release, announced = await releases.publish_release(session, user, release_id, published_on)
    return PublishOutcome(release=await _one(session, release), announced=announced)


@router.post(
    "/{release_id}/withdraw",
    summary="Withdraw a published release for good: gone from catalogs, never granted or announced again",
    responses=problem_responses(RELEASE_STATE_CONFLICT),
)
async def withdraw_release(
    session: SessionDep, user: ReleaseTeam, release_id: UUID, body: WithdrawRequest
) -> ManagedRelease:
    return await _one(session, await releases.withdraw_release(session, user, release_id, body.reason))


@router.post(
    "/{release_id}/uploads",
    status_code=201,
    summary="Start uploading a file: a multipart upload whose parts go straight to the object store",
    responses=problem_responses(RELEASE_WITHDRAWN),
)
async def start_upload(
    session: SessionDep, store: StoreDep, user: ReleaseTeam, release_id: UUID, body: UploadStart
) -> UploadPublic:
    return _upload_public(await uploads.start_upload(session, store, user, release_id, body))


@router.get(
    "/{release_id}/uploads/{upload_id}",
    summary="An upload and the parts the object store already has (to resume)",
    responses=problem_responses(UPLOAD_NOT_FOUND),
)
async def get_upload(
    session: SessionDep, store: StoreDep, user: ReleaseTeam, release_id: UUID, upload_id: UUID
) -> UploadPublic:
    upload = await uploads.upload_of(session, release_id, upload_id)
    return _upload_public(upload, await uploads.uploaded_parts(store, upload))


@router.post(
    "/{release_id}/uploads/{upload_id}/part-urls",
    summary="Presigned PUT URLs for parts (up to 1000 per call)",
    responses=problem_responses(UPLOAD_NOT_FOUND, UPLOAD_INCOMPLETE),
)
async def part_urls(
    session: SessionDep,
    presigner: PresignerDep,
    user: ReleaseTeam,
    release_id: UUID,
    upload_id: UUID,
    body: PartUrlsRequest,
) -> PartUrls:
    return await uploads.part_urls(session, presigner, release_id, upload_id, body.parts)


@router.post(
    "/{release_id}/uploads/{upload_id}/complete",
    summary="Complete the upload; the service checks size and SHA-256 before the file joins the release",
    responses=problem_responses(UPLOAD_NOT_FOUND, UPLOAD_INCOMPLETE, UPLOAD_REJECTED, RELEASE_WITHDRAWN),
)
async def complete_upload(
    session: SessionDep, store: StoreDep, user: ReleaseTeam, release_id: UUID, upload_id: UUID
) -> UploadPublic:
    return _upload_public(await uploads.complete_upload(session, store, user, release_id, upload_id))
