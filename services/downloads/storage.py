"""Presigned MinIO URLs: how artifact bytes reach customers without passing through us.

The client is built for the PUBLIC endpoint (what the customer's browser can reach) and with
the region fixed, so signing is pure computation: no network call per grant.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from minio import Minio

from services.downloads.config import Settings
from shared import clock
from shared.filenames import attachment_disposition


@dataclass(frozen=True)
class PresignedUrl:
    url: str
    expires_at: datetime


class Presigner:
    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket
        self.expiry = timedelta(seconds=settings.presign_expiry_seconds)
        self.upload_expiry = timedelta(seconds=settings.upload_part_expiry_seconds)
        self._client = Minio(
            settings.signing_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=settings.signing_secure,
            region=settings.s3_region,
        )

    def download_url(self, object_key: str, filename: str, content_type: str) -> PresignedUrl:
        issued = clock.now()
        url = self._client.presigned_get_object(
            self.bucket,
            object_key,
            expires=self.expiry,
            response_headers={
                "response-content-disposition": attachment_disposition(filename),
                "response-content-type": content_type,
            },
            request_date=issued,
        )
        return PresignedUrl(url=url, expires_at=issued + self.expiry)

    def upload_part_url(self, object_key: str, upload_id: str, part_number: int) -> PresignedUrl:
        """A PUT URL for one part of a multipart upload (the uploader sends the bytes itself)."""
        issued = clock.now()
        expiry = self.upload_expiry
        url = self._client.get_presigned_url(
            "PUT",
            self.bucket,
            object_key,
            expires=expiry,
            extra_query_params={"uploadId": upload_id, "partNumber": str(part_number)},
            request_date=issued,
        )
        return PresignedUrl(url=url, expires_at=issued + expiry)
