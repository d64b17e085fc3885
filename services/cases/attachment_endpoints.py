"""Routes of case attachments: start an upload, complete it, list with short-lived downloads."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter

from services.cases import attachments
from services.cases.attachment_storage import AttachmentStorage
from services.cases.config import Settings
from services.cases.models import CaseAttachment
from services.cases.problems import (
    ATTACHMENT_NOT_FOUND,
    ATTACHMENT_TOO_LARGE,
    ATTACHMENT_TYPE_NOT_ALLOWED,
    CASE_CLOSED,
    UPLOAD_INCOMPLETE,
)
from services.cases.schemas import AttachmentCreate, AttachmentPublic, UploadFormPublic, UploadStarted
from shared.auth import CurrentUser
from shared.http.deps import SessionDep, from_app_state
from shared.http.problems import problem_responses

router = APIRouter(prefix="/cases/{case_id}/attachments", tags=["attachments"])


StorageDep = Annotated[AttachmentStorage, from_app_state("attachment_storage")]  # built by create_app
SettingsDep = Annotated[Settings, from_app_state("settings")]


def _public(attachment: CaseAttachment, storage: AttachmentStorage | None = None) -> AttachmentPublic:
    public = AttachmentPublic.model_validate(attachment.model_dump())
    if storage is None or attachment.completed_at is None:
        return public
    url, expires_at = storage.download_url(
        attachment.object_key, attachment.filename, attachment.content_type
    )
    return public.model_copy(update={"download_url": url, "download_expires_at": expires_at})


@router.post(
    "",
    status_code=201,
    summary="Start an upload: a presigned POST form for object storage",
    responses=problem_responses(CASE_CLOSED, ATTACHMENT_TOO_LARGE, ATTACHMENT_TYPE_NOT_ALLOWED),
)
async def start_upload(
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    user: CurrentUser,
    case_id: UUID,
    body: AttachmentCreate,
) -> UploadStarted:
    attachment, form = await attachments.start_upload(
        session,
        user,
        case_id,
        body,
        storage=storage,
        max_bytes=settings.attachment_max_bytes,
        allowed_types=settings.attachment_content_types,
    )
    return UploadStarted(
        attachment=_public(attachment),
        upload=UploadFormPublic(url=form.url, fields=form.fields, expires_at=form.expires_at),
    )


@router.post(
    "/{attachment_id}/complete",
    summary="The upload finished: check it and record its SHA-256",
    responses=problem_responses(UPLOAD_INCOMPLETE, ATTACHMENT_NOT_FOUND),
)
async def complete_upload(
    session: SessionDep, storage: StorageDep, user: CurrentUser, case_id: UUID, attachment_id: UUID
) -> AttachmentPublic:
    attachment = await attachments.complete_upload(session, user, case_id, attachment_id, storage=storage)
    return _public(attachment, storage)


@router.get("", summary="Attachments of the case, each with a short-lived download URL")
async def list_attachments(
    session: SessionDep, storage: StorageDep, user: CurrentUser, case_id: UUID
) -> list[AttachmentPublic]:
    return [_public(a, storage) for a in await attachments.list_attachments(session, user, case_id)]
