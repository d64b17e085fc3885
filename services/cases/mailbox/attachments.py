"""Attachments of mailed-in messages become the case's attachments, as if uploaded in the portal:
bytes to the object store, a `case_attachments` row per file (written in the mail's transaction),
already checked (size and SHA-256 are known from the mail), so the desk lists them at once.

Attachment ids, and so object keys, are derived from the inbound mail and the file's position:
a retried mail overwrites its own objects instead of adding copies; objects of an attempt that
rolled back before a case existed stay unreferenced and are harmless.
"""

import asyncio
import io
from uuid import UUID, uuid5

from minio import Minio
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.attachments import object_key, safe_filename
from services.cases.mailbox.config import MailboxSettings
from services.cases.mailbox.parsing import Attachment
from services.cases.models import CaseAttachment
from shared import clock


def attachment_id(mail_id: UUID, position: int) -> UUID:
    return uuid5(mail_id, str(position))


class AttachmentStore:
    def __init__(self, settings: MailboxSettings) -> None:
        self.bucket = settings.s3_bucket
        self._client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=settings.s3_secure,
        )

    async def store(
        self,
        session: AsyncSession,
        *,
        case_id: UUID,
        uploader_id: UUID,
        mail_id: UUID,
        files: list[Attachment],
    ) -> list[CaseAttachment]:
        rows = []
        now = clock.now()
        for position, file in enumerate(files, start=1):
            ident = attachment_id(mail_id, position)
            key = object_key(case_id, ident)
            content_type = file.content_type.lower()[:100] or "application/octet-stream"
            await asyncio.to_thread(
                self._client.put_object,
                self.bucket,
                key,
                io.BytesIO(file.data),
                len(file.data),
                content_type=content_type,
            )
            row = CaseAttachment(
                id=ident,
                case_id=case_id,
                object_key=key,
                filename=safe_filename(file.filename),
                content_type=content_type,
                size=len(file.data),
                sha256=file.sha256,
                uploader_id=uploader_id,
                by_staff=False,
                created_at=now,
                completed_at=now,  # the bytes are stored and their hash known: nothing to check later
            )
            session.add(row)
            rows.append(row)
        await session.flush()
        return rows
