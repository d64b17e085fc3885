"""The request-body cap every service has (shared.http.body_limit), seen through identity's
64 KiB and licensing's default: declared or streamed, an oversize body is a translated 413."""

from collections.abc import AsyncIterator
from typing import Any

import httpx

from tests.identity.helpers import API, registration

PROBLEM = "application/problem+json"
IDENTITY_MAX = 64 * 1024
DEFAULT_MAX = 32 * 1024 * 1024


async def _chunks(total: int, size: int = 16 * 1024) -> AsyncIterator[bytes]:
    """A body without Content-Length (chunked): only counting what arrives can catch it."""
    sent = 0
    while sent < total:
        chunk = b" " * min(size, total - sent)
        sent += len(chunk)
        yield chunk


def _assert_too_large(response: httpx.Response, kib: int, locale: str, words: str) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.headers["content-language"] == locale
    body = response.json()
    assert body["type"] == "/problems/payload-too-large"
    assert body["detail_id"] == "problem.body-too-large"
    assert f"{kib} KiB" in body["detail"] and words in body["detail"], body["detail"]


async def test_declared_oversize_body_is_refused_in_the_callers_language(gateway: httpx.AsyncClient) -> None:
    body = registration(name="n" * 200_000)
    response = await gateway.post(f"{API}/auth/register", json=body, headers={"Accept-Language": "ja"})
    _assert_too_large(response, 64, "ja", "までです")


async def test_streamed_oversize_body_is_refused_while_it_arrives(service_url: str) -> None:
    async with httpx.AsyncClient(base_url=service_url, timeout=30) as direct:
        response = await direct.post(
            "/auth/login",
            content=_chunks(IDENTITY_MAX + 1),
            headers={"Content-Type": "application/json", "Accept-Language": "zh-TW"},
        )
    assert "content-length" not in response.request.headers
    _assert_too_large(response, 64, "zh-TW", "每個請求最多")


async def test_streamed_body_within_the_cap_reaches_the_route(service_url: str) -> None:
    async with httpx.AsyncClient(base_url=service_url, timeout=30) as direct:
        response = await direct.post(
            "/auth/login",
            content=_chunks(IDENTITY_MAX),  # whitespace only: not a JSON document
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "/problems/validation"


async def test_every_service_caps_bodies(stack: dict[str, Any]) -> None:
    """Licensing keeps the default cap, above its own 20 MiB import limit."""
    async with httpx.AsyncClient(base_url=stack["services"]["licensing"]["url"], timeout=60) as direct:
        response = await direct.post(
            "/admin/licenses",
            content=_chunks(DEFAULT_MAX + 1, size=1024 * 1024),
            headers={"Content-Type": "application/json"},
        )
    _assert_too_large(response, DEFAULT_MAX // 1024, "en", "Send at most")
