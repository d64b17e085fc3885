"""Artifact bytes go straight from the uploader to MinIO: presigned multipart uploads.

The service opens a multipart upload, signs one PUT URL per part (for the address the uploader
reaches MinIO at), and, when told the parts are there, completes the upload and reads the object
back once to check its SHA-256 against the one declared. An upload is resumable: MinIO keeps
the parts it has, `uploaded_parts` says which, and only the missing ones are sent again.

minio-py exposes the multipart S3 calls (CreateMultipartUpload, ListParts, Complete…, Abort…)
only as underscore methods of its client; they are the documented S3 operations, so we call
them here, in this one module, rather than sign and parse the requests ourselves.
"""

import hashlib
import math
from dataclasses import dataclass

import urllib3
from minio import Minio
from minio.datatypes import Part
from minio.error import S3Error

from services.downloads.config import Settings

MiB = 1024 * 1024
MIN_PART_SIZE = 8 * MiB  # S3 needs >= 5 MiB for every part but the last
MAX_PARTS = 10_000  # S3's limit per upload
MAX_OBJECT_SIZE = 5 * 1024 * 1024 * MiB  # S3's limit per object: 5 TiB
READ_CHUNK = 4 * MiB


def part_size_for(size: int) -> int:
    """The smallest whole-MiB part size (>= 8 MiB) that fits `size` bytes in 10 000 parts."""
    needed = math.ceil(size / MAX_PARTS)
    return max(MIN_PART_SIZE, math.ceil(needed / MiB) * MiB)


def part_count(size: int, part_size: int) -> int:
    return max(1, math.ceil(size / part_size))


@dataclass(frozen=True)
class StoredPart:
    number: int
    etag: str
    size: int


class ObjectStore:
    """Server-side calls to MinIO (the service's own endpoint, not the public one)."""

    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket
        self._client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=settings.s3_secure,
            region=settings.s3_region,
            http_client=urllib3.PoolManager(
                timeout=urllib3.Timeout(connect=5, read=120),
                retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
            ),
        )

    def start_upload(self, key: str, content_type: str) -> str:
        return self._client._create_multipart_upload(self.bucket, key, {"Content-Type": content_type})

    def uploaded_parts(self, key: str, upload_id: str) -> list[StoredPart]:
        parts: list[StoredPart] = []
        marker: str | None = None
        while True:
            listed = self._client._list_parts(self.bucket, key, upload_id, part_number_marker=marker)
            parts += [StoredPart(p.part_number, p.etag, p.size or 0) for p in listed.parts]
            if not listed.is_truncated:
                return parts
            marker = listed.next_part_number_marker

    def complete(self, key: str, upload_id: str, parts: list[StoredPart]) -> None:
        ordered = [Part(part.number, part.etag) for part in sorted(parts, key=lambda p: p.number)]
        self._client._complete_multipart_upload(self.bucket, key, upload_id, ordered)

    def abort(self, key: str, upload_id: str) -> None:
        try:
            self._client._abort_multipart_upload(self.bucket, key, upload_id)
        except S3Error as error:
            if error.code != "NoSuchUpload":
                raise

    def sha256_of(self, key: str) -> tuple[str, int]:
        """SHA-256 and size of a stored object, read once in chunks (never whole in memory)."""
        digest = hashlib.sha256()
        size = 0
        response = self._client.get_object(self.bucket, key)
        try:
            for chunk in response.stream(READ_CHUNK):
                digest.update(chunk)
                size += len(chunk)
        finally:
            response.close()
            response.release_conn()
        return digest.hexdigest(), size

    def remove(self, key: str) -> None:
        self._client.remove_object(self.bucket, key)
