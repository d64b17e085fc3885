"""The release role's API as a Python client: what `support-release` (and the benchmark) run.

Every decision is the service's (`/api/downloads/admin/releases`); this only moves bytes and
follows the protocol: create or find the release, upload each file in presigned parts straight
to the object store (resuming an unfinished upload of the same file instead of starting over),
complete it (the service checks the SHA-256), set the texts, publish.
"""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from services.downloads.release_artifacts import LocalFile, Progress

API = "/api/downloads/admin/releases"
PART_URLS_PER_CALL = 500
PARALLEL_PARTS = 4


class ApiRefusal(Exception):
    """The portal said no; the message is its problem title and detail."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = {}
        title = body.get("title") or response.reason_phrase
        detail = body.get("detail")
        errors = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in body.get("errors", []))
        super().__init__(" — ".join(part for part in (f"{title} ({self.status})", detail, errors) if part))
        self.body = body


@dataclass
class Credentials:
    email: str | None = None
    password: str | None = None
    token: str | None = None


class ReleaseApi:
    """A signed-in client of the portal's release API (through the gateway)."""

    def __init__(self, portal_url: str, credentials: Credentials, *, timeout: float = 120) -> None:
        self.portal_url = portal_url.rstrip("/")
        self.credentials = credentials
        self.http = httpx.Client(base_url=self.portal_url, timeout=timeout)
        self.parts = httpx.Client(timeout=timeout)  # to the object store, no portal headers
        self._token = credentials.token

    def close(self) -> None:
        self.http.close()
        self.parts.close()

    def _sign_in(self) -> str:
        if not (self.credentials.email and self.credentials.password):
            raise ApiRefusal(
                httpx.Response(
                    401,
                    json={
                        "title": "No credentials",
                        "detail": "set RELEASE_EMAIL and RELEASE_PASSWORD (or RELEASE_TOKEN)",
                    },
                )
            )
        response = self.http.post(
            "/api/identity/auth/login",
            json={"email": self.credentials.email, "password": self.credentials.password},
        )
        if response.status_code != 200:
            raise ApiRefusal(response)
        token: str = response.json()["access_token"]
        return token

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call; signs in first, and again once when the short-lived token expired."""
        for attempt in (1, 2):
            if self._token is None:
                self._token = self._sign_in()
            response = self.http.request(
                method, f"{API}{path}", headers={"Authorization": f"Bearer {self._token}"}, **kwargs
            )
            if response.status_code == 401 and attempt == 1 and self.credentials.password:
                self._token = None
                continue
            if response.status_code >= 400:
                raise ApiRefusal(response)
            return response.json() if response.content else None
        raise AssertionError("unreachable")

    # --- releases -------------------------------------------------------------------------------

    def create(self, **fields: Any) -> dict[str, Any]:
        return self.call("POST", "", json=fields)

    def edit(self, release_id: str, **fields: Any) -> dict[str, Any]:
        return self.call("PATCH", f"/{release_id}", json=fields)

    def get(self, release_id: str) -> dict[str, Any]:
        return self.call("GET", f"/{release_id}")

    def remove_file(self, release_id: str, filename: str) -> dict[str, Any]:
        return self.call("DELETE", f"/{release_id}/artifacts/{quote(filename, safe='')}")

    def publish(self, release_id: str, published_on: str | None = None) -> dict[str, Any]:
        return self.call("POST", f"/{release_id}/publish", json={"published_on": published_on})

    def withdraw(self, release_id: str, reason: str) -> dict[str, Any]:
        return self.call("POST", f"/{release_id}/withdraw", json={"reason": reason})

    # --- files ----------------------------------------------------------------------------------

    def start_upload(self, release_id: str, file: LocalFile) -> dict[str, Any]:
        body = {
            "filename": file.filename,
            "size": file.size,
            "sha256": file.sha256,
            "content_type": file.content_type,
        }
        return self.call("POST", f"/{release_id}/uploads", json=body)

    def upload_state(self, release_id: str, upload_id: str) -> dict[str, Any]:
        return self.call("GET", f"/{release_id}/uploads/{upload_id}")

    def part_urls(self, release_id: str, upload_id: str, numbers: list[int]) -> Iterator[tuple[int, str]]:
        for start in range(0, len(numbers), PART_URLS_PER_CALL):
            signed = self.call(
                "POST",
                f"/{release_id}/uploads/{upload_id}/part-urls",
                json={"parts": numbers[start : start + PART_URLS_PER_CALL]},
            )
            for part in signed["parts"]:
                yield part["number"], part["url"]

    def complete(self, release_id: str, upload_id: str) -> dict[str, Any]:
        return self.call("POST", f"/{release_id}/uploads/{upload_id}/complete")

    def put_part(self, url: str, path: Path, offset: int, length: int) -> None:
        with path.open("rb") as stream:
            stream.seek(offset)
            body = stream.read(length)
        response = self.parts.put(url, content=body)
        if response.status_code != 200:
            raise ApiRefusal(response)

    def upload(self, release: dict[str, Any], file: LocalFile, *, parallel: int = PARALLEL_PARTS) -> str:
        """Send `file` unless the release already has these bytes under its name; resume an
        unfinished upload of the same bytes. Returns what happened, for the user."""
        release_id = release["release_id"]
        if any(a["filename"] == file.filename and a["sha256"] == file.sha256 for a in release["artifacts"]):
            return "already stored"
        unfinished = next(
            (
                u
                for u in release["uploads"]
                if (u["filename"], u["sha256"], u["size"]) == (file.filename, file.sha256, file.size)
            ),
            None,
        )
        upload = (
            self.upload_state(release_id, unfinished["upload_id"])
            if unfinished
            else self.start_upload(release_id, file)
        )
        done = set(upload["uploaded_parts"])
        todo = [n for n in range(1, upload["part_count"] + 1) if n not in done]
        part_size = upload["part_size"]
        progress = Progress("uploading", file.filename, file.size)
        progress.update(sum(min(part_size, file.size - (n - 1) * part_size) for n in done))

        def send(number: int, url: str) -> None:
            offset = (number - 1) * part_size
            length = min(part_size, file.size - offset)
            self.put_part(url, file.path, offset, length)
            progress.update(length)

        with _pool(parallel) as run:
            run(send, self.part_urls(release_id, upload["upload_id"], todo))
        progress.finish()
        self.complete(release_id, upload["upload_id"])
        return "resumed and verified" if done else "uploaded and verified"


@contextmanager
def _pool(workers: int) -> Iterator[Callable[[Callable[[int, str], None], Iterator[tuple[int, str]]], None]]:
    with ThreadPoolExecutor(max_workers=workers) as executor:

        def run(work: Callable[[int, str], None], items: Iterator[tuple[int, str]]) -> None:
            for future in [executor.submit(work, number, url) for number, url in items]:
                future.result()

        yield run
