"""The release tool's file side: streaming SHA-256, progress lines, uploads that skip duplicates.

Files are read in chunks (never whole into memory). An object already stored under the same
key with the same SHA-256 (kept as user metadata) is not uploaded again, so re-running a
publish after a network failure only sends what is missing.
"""

import hashlib
import mimetypes
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from minio import Minio
from minio.error import S3Error

from shared.events import Artifact

CHUNK = 1024 * 1024
PROGRESS_FROM_BYTES = 16 * 1024 * 1024  # smaller files finish before a progress line helps
SHA256_METADATA = "sha256"
COMPRESSED_TYPES = {"gzip": "application/gzip", "bzip2": "application/x-bzip2", "xz": "application/x-xz"}


class Progress:
    """One self-overwriting line per file on stderr: `<what> <name>  37%  120/320 MiB`.

    Also the minio client's progress protocol (`set_meta`, `update`); parallel part uploads
    call `update` from several threads, hence the lock.
    """

    def __init__(self, what: str, name: str, total: int, out: TextIO = sys.stderr) -> None:
        self.what, self.name, self.total, self.out = what, name, total, out
        self.done = 0
        self.enabled = total >= PROGRESS_FROM_BYTES
        self._lock = threading.Lock()
        self._last_print = 0.0

    def set_meta(self, object_name: str, total_length: int) -> None:
        self.total = total_length

    def update(self, length: int) -> None:
        with self._lock:
            self.done += length
            now = time.monotonic()
            if self.enabled and (now - self._last_print > 0.5 or self.done >= self.total):
                self._last_print = now
                percent = 100 * self.done // max(self.total, 1)
                self.out.write(
                    f"\r  {self.what} {self.name}  {percent:3d}%  "
                    f"{self.done // CHUNK}/{self.total // CHUNK} MiB"
                )
                self.out.flush()

    def finish(self) -> None:
        if self.enabled:
            self.out.write("\n")
            self.out.flush()


@dataclass(frozen=True)
class LocalFile:
    path: Path
    size: int
    sha256: str

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def content_type(self) -> str:
        # `x.tar.gz` guesses as (tar, gzip): the bytes a browser receives are gzip.
        kind, encoding = mimetypes.guess_type(self.path.name)
        if encoding is not None:
            return COMPRESSED_TYPES.get(encoding, "application/octet-stream")
        return kind or "application/octet-stream"


def hash_file(path: Path) -> LocalFile:
    """SHA-256 and size in one streaming pass."""
    digest = hashlib.sha256()
    size = 0
    progress = Progress("hashing", path.name, path.stat().st_size)
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            progress.update(len(chunk))
    progress.finish()
    return LocalFile(path, size, digest.hexdigest())


def object_key(product: str, version: str, filename: str) -> str:
    return f"releases/{product}/{version}/{filename}"


def stored_sha256(client: Minio, bucket: str, key: str) -> str | None:
    """SHA-256 recorded on an existing object, or None when there is no such object."""
    try:
        stat = client.stat_object(bucket, key)
    except S3Error as error:
        if error.code in ("NoSuchKey", "NoSuchObject", "ResourceNotFound"):
            return None
        raise
    metadata = stat.metadata or {}
    value = metadata.get(f"x-amz-meta-{SHA256_METADATA}") or metadata.get(
        f"X-Amz-Meta-{SHA256_METADATA.capitalize()}"
    )
    return str(value) if value else None


def upload(client: Minio, bucket: str, key: str, file: LocalFile) -> bool:
    """Upload unless the same bytes are already there. True when bytes were sent."""
    if stored_sha256(client, bucket, key) == file.sha256:
        return False
    progress = Progress("uploading", file.filename, file.size)
    client.fput_object(
        bucket,
        key,
        str(file.path),
        content_type=file.content_type,
        metadata={SHA256_METADATA: file.sha256},
        progress=progress,
    )
    progress.finish()
    return True


def artifact_of(file: LocalFile, key: str) -> Artifact:
    return Artifact(
        filename=file.filename,
        object_key=key,
        size=file.size,
        sha256=file.sha256,
        content_type=file.content_type,
    )
