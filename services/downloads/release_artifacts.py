"""The release tool's file side: streaming SHA-256, a content type, and progress lines.

Files are read in chunks (never whole into memory); the SHA-256 is declared when an upload
starts and the service checks the stored object against it.
"""

import hashlib
import mimetypes
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

CHUNK = 1024 * 1024
PROGRESS_FROM_BYTES = 16 * 1024 * 1024  # smaller files finish before a progress line helps
COMPRESSED_TYPES = {"gzip": "application/gzip", "bzip2": "application/x-bzip2", "xz": "application/x-xz"}


class Progress:
    """One self-overwriting line per file on stderr: `<what> <name>  37%  120/320 MiB`.

    Parallel part uploads call `update` from several threads, hence the lock.
    """

    def __init__(self, what: str, name: str, total: int, out: TextIO = sys.stderr) -> None:
        self.what, self.name, self.total, self.out = what, name, total, out
        self.done = 0
        self.enabled = total >= PROGRESS_FROM_BYTES
        self._lock = threading.Lock()
        self._last_print = 0.0

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
