"""Object storage for case attachments: presigned POST forms, presigned GETs, checks, cleanup.

Two clients: one signs for the address the customer's browser reaches (pure computation with the
region fixed: no network call per grant), the other talks to storage from the service (stat,
hash, remove). MinIO calls block, so the async helpers run them in a thread.
"""

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from minio import Minio
from minio.datatypes import PostPolicy
from minio.error import S3Error

from services.cases.config import Settings
from shared import clock

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict[str, str]
    expires_at: datetime


class AttachmentStorage:
    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket
        self.upload_expiry = timedelta(seconds=settings.attachment_upload_seconds)
        self.download_expiry = timedelta(seconds=settings.attachment_download_seconds)
        public_secure = settings.s3_secure if settings.s3_public_secure is None else settings.s3_public_secure
        public_endpoint = settings.s3_public_endpoint or settings.s3_endpoint
        self._public_base = f"{'https' if public_secure else 'http'}://{public_endpoint}"
        self._signer = Minio(
            public_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=public_secure,
            region=settings.s3_region,
        )
        self._client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=settings.s3_secure,
            region=settings.s3_region,
        )

    def upload_form(self, key: str, content_type: str, size: int) -> UploadForm:
        """A form the browser POSTs the file with: this key, this type, exactly this many bytes."""
        expires_at = clock.now() + self.upload_expiry
        policy = PostPolicy(self.bucket, expires_at)
        policy.add_equals_condition("key", key)
        policy.add_equals_condition("Content-Type", content_type)
        policy.add_content_length_range_condition(size, size)
        fields = self._signer.presigned_post_policy(policy)
        return UploadForm(
            url=f"{self._public_base}/{self.bucket}",
            fields={**fields, "key": key, "Content-Type": content_type},
            expires_at=expires_at,
        )

    def download_url(self, key: str, filename: str, content_type: str) -> tuple[str, datetime]:
        issued = clock.now()
        url = self._signer.presigned_get_object(
            self.bucket,
            key,
            expires=self.download_expiry,
            response_headers={
                "response-content-disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}",
                "response-content-type": content_type,
            },
            request_date=issued,
        )
        return url, issued + self.download_expiry

    async def size_of(self, key: str) -> int | None:
        """The stored object's size, or None when nothing was uploaded under `key`."""

        def stat() -> int | None:
            try:
                return int(self._client.stat_object(self.bucket, key).size or 0)
            except S3Error as error:
                if error.code in ("NoSuchKey", "NoSuchObject"):
                    return None
                raise

        return await asyncio.to_thread(stat)

    async def sha256_of(self, key: str) -> str:
        """Hash the stored bytes (read back once, when the upload completes)."""

        def digest() -> str:
            response = self._client.get_object(self.bucket, key)
            try:
                hasher = hashlib.sha256()
                for chunk in response.stream(CHUNK):
                    hasher.update(chunk)
                return hasher.hexdigest()
            finally:
                response.close()
                response.release_conn()

        return await asyncio.to_thread(digest)

    async def remove(self, key: str) -> None:
        await asyncio.to_thread(self._client.remove_object, self.bucket, key)
