"""Use cases of case attachments. Functions only flush.

The bytes go from the browser straight to object storage with a presigned POST whose policy fixes
the key, the content type and the exact size; the service records who attached what, checks the
upload when told it finished (size, SHA-256) and hands out short-lived downloads to whoever may
see the case. Security cases keep their visibility rule: attachments follow the case.
"""

import re
import unicodedata
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import texts
from services.cases.access import staff_sees
from services.cases.attachment_storage import AttachmentStorage, UploadForm
from services.cases.models import CaseAttachment
from services.cases.problems import (
    ATTACHMENT_NOT_FOUND,
    ATTACHMENT_TOO_LARGE,
    ATTACHMENT_TYPE_NOT_ALLOWED,
    CASE_CLOSED,
    UPLOAD_INCOMPLETE,
)
from services.cases.schemas import AttachmentCreate
from services.cases.service import visible_case
from shared import clock
from shared.auth import Principal
from shared.http.problems import Problem


def safe_filename(name: str) -> str:
    """The last path part, without control or bidi characters, nothing a file system refuses."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    cleaned = re.sub(r'[<>:"|?*]', "_", cleaned).strip(" .")
    return cleaned[:200] or "attachment"


def object_key(case_id: UUID, attachment_id: UUID) -> str:
    return f"case-attachments/{case_id}/{attachment_id}"


async def start_upload(
    session: AsyncSession,
    user: Principal,
    case_id: UUID,
    request: AttachmentCreate,
    *,
    storage: AttachmentStorage,
    max_bytes: int,
    allowed_types: list[str],
) -> tuple[CaseAttachment, UploadForm]:
    case = await visible_case(session, user, case_id)
    if case.status == "closed":
        raise Problem(CASE_CLOSED, detail=texts.ATTACH_TO_OPEN_CASE())
    if request.size > max_bytes:
        raise Problem(
            ATTACHMENT_TOO_LARGE, detail=texts.ATTACHMENT_SIZE_LIMIT(mib=max_bytes // (1024 * 1024))
        )
    content_type = request.content_type.lower() or "application/octet-stream"
    if content_type not in allowed_types:
        raise Problem(ATTACHMENT_TYPE_NOT_ALLOWED, detail=texts.ATTACHMENT_TYPES(allowed=allowed_types))
    attachment_id = uuid4()
    attachment = CaseAttachment(
        id=attachment_id,
        case_id=case.id,
        object_key=object_key(case.id, attachment_id),
        filename=safe_filename(request.filename),
        content_type=content_type,
        size=request.size,
        uploader_id=user.user_id,
        by_staff=staff_sees(user, case.category),
        created_at=clock.now(),
    )
    session.add(attachment)
    await session.flush()
    return attachment, storage.upload_form(attachment.object_key, content_type, request.size)


async def complete_upload(
    session: AsyncSession, user: Principal, case_id: UUID, attachment_id: UUID, *, storage: AttachmentStorage
) -> CaseAttachment:
    """The uploader says the file is up: check it is there whole, and record its SHA-256."""
    await visible_case(session, user, case_id)
    attachment = await session.get(CaseAttachment, attachment_id, with_for_update=True)
    if attachment is None or attachment.case_id != case_id or attachment.uploader_id != user.user_id:
        raise Problem(ATTACHMENT_NOT_FOUND, detail=texts.START_UPLOAD_AGAIN())
    if attachment.completed_at is not None:
        return attachment
    stored = await storage.size_of(attachment.object_key)
    if stored != attachment.size:
        raise Problem(UPLOAD_INCOMPLETE, detail=texts.UPLOAD_WITH_FORM())
    attachment.sha256 = await storage.sha256_of(attachment.object_key)
    attachment.completed_at = clock.now()
    await session.flush()
    return attachment


async def list_attachments(session: AsyncSession, user: Principal, case_id: UUID) -> list[CaseAttachment]:
    """Completed attachments of a case the caller may see (the same rule as the case)."""
    await visible_case(session, user, case_id)
    found = await session.execute(
        select(CaseAttachment)
        .where(col(CaseAttachment.case_id) == case_id, col(CaseAttachment.completed_at).is_not(None))
        .order_by(col(CaseAttachment.created_at))
    )
    return list(found.scalars())


async def remove_abandoned_uploads(
    session: AsyncSession,
    storage: AttachmentStorage,
    *,
    older_than: timedelta,
    now: datetime,
    limit: int = 200,
) -> int:
    """Uploads never completed: delete the object (if any bytes arrived) and the row."""
    stale = await session.execute(
        select(CaseAttachment)
        .where(col(CaseAttachment.completed_at).is_(None), col(CaseAttachment.created_at) <= now - older_than)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(stale.scalars())
    for attachment in rows:
        await storage.remove(attachment.object_key)
        await session.delete(attachment)
    await session.flush()
    return len(rows)
