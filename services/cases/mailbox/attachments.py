"""Attachments of mailed-in messages: bytes to the object store under the case's prefix,
a row per file in `inbound_attachment` (written in the mail's transaction).

Object keys are derived from the inbound mail and the file's position, so a retried mail
overwrites its own objects instead of adding copies; objects of an attempt that rolled back
before a case existed stay unreferenced under their case id and are harmless.
"""

import asyncio
import io
import re
from uuid import UUID

from minio import Minio
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.mailbox.config import MailboxSettings
from services.cases.mailbox.models import InboundAttachment
from services.cases.mailbox.parsing import Attachment


class AttachmentStore:
    def __init__(self, settings: MailboxSettings) -> None:
        self.bucket = settings.s3_bucket
        self.prefix = settings.mailbox_attachment_prefix.strip("/")
        self._client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=settings.s3_secure,
        )

    def key(self, case_id: UUID, mail_id: UUID, position: int, filename: str) -> str:
        safe = re.sub(r"[^\w.\-]+", "_", filename, flags=re.ASCII)[:100] or "attachment"
        return f"{self.prefix}/{case_id}/mail/{mail_id}/{position}-{safe}"

    async def store(
        self, session: AsyncSession, *, case_id: UUID, mail_id: UUID, files: list[Attachment]
    ) -> list[InboundAttachment]:
        rows = []
        for position, file in enumerate(files, start=1):
            key = self.key(case_id, mail_id, position, file.filename)
            await asyncio.to_thread(
                self._client.put_object,
                self.bucket,
                key,
                io.BytesIO(file.data),
                len(file.data),
                content_type=file.content_type,
            )
            row = InboundAttachment(
                inbound_mail_id=mail_id,
                case_id=case_id,
                position=position,
                filename=file.filename,
                content_type=file.content_type,
                size=len(file.data),
                sha256=file.sha256,
                object_key=key,
            )
            session.add(row)
            rows.append(row)
        await session.flush()
        return rows
