"""What the gateway answers by itself: security headers, which paths reach the outside, and
whose X-Forwarded-For it believes."""

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.local.gateway import TRUSTED_PROXY
from shared.http.problems import MEDIA_TYPE
from tests.kit import eventually

SERVICES = ("identity", "licensing", "downloads", "cases", "notifier")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def assert_secured(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name, response.headers)
    policy = [d.strip() for d in response.headers["content-security-policy"].split(";")]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy  # no 'unsafe-inline', no other origin
    assert response.headers.get_list("x-request-id") and len(response.headers.get_list("x-request-id")) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/licenses",
        "/index.html",
        "/js/main.js",
        "/i18n/en.json",
        "/api/identity/me",  # a service's 401
        "/api/nothing/here",  # the gateway's own 404
        "/README.md",
    ],
)
async def test_every_answer_carries_the_security_headers(gateway: httpx.AsyncClient, path: str) -> None:
    assert_secured(await gateway.get(path))


async def test_hsts_only_where_the_trusted_proxy_terminated_tls(stack: dict[str, Any]) -> None:
    https = {"X-Forwarded-Proto": "https"}
    async with _client(stack, TRUSTED_PROXY) as proxy, _client(stack, "127.0.0.1") as stranger:
        behind_tls = await proxy.get("/", headers=https)
        plain = await proxy.get("/")
        claimed = await stranger.get("/", headers=https)
    assert behind_tls.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "strict-transport-security" not in plain.headers
    assert "strict-transport-security" not in claimed.headers


async def test_only_the_portals_assets_are_served(gateway: httpx.AsyncClient) -> None:
    assert (Path(__file__).parents[2] / "web" / "README.md").exists()
    for path in ("/README.md", "/css/../README.md", "/i18n/", "/nothing.txt", "/favicon.ico"):
        response = await gateway.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert "Support Portal" not in response.text
    for path, kind in (("/js/main.js", "javascript"), ("/css/app.css", "css"), ("/img/logo.svg", "svg")):
        response = await gateway.get(path)
        assert response.status_code == 200 and kind in response.headers["content-type"], path
        assert response.headers["cache-control"] == "no-cache"
    for route in ("/", "/licenses", "/cases/0b3c9f5e-1111-4222-8333-944445555666"):
        page = await gateway.get(route)
        assert page.status_code == 200 and '<div id="app"' in page.text, route
    # A file name under /api/ is still the service's (an artifact download), not a portal 404.
    artifact = await gateway.get(f"/api/downloads/releases/{uuid.uuid4()}/artifacts/setup.zip")
    assert artifact.status_code == 401 and artifact.headers["content-type"] == MEDIA_TYPE


@pytest.mark.parametrize("service", SERVICES)
async def test_metrics_and_readiness_are_not_reachable_from_outside(
    gateway: httpx.AsyncClient, stack: dict[str, Any], service: str
) -> None:
    for path in ("metrics", "readyz", "readyz?kafka=optional", "metrics/", "/metrics"):
        response = await gateway.get(f"/api/{service}/{path}")
        assert response.status_code == 404, (service, path)
        assert response.headers["content-type"] == MEDIA_TYPE
        assert "# TYPE" not in response.text and "checks" not in response.text
    async with httpx.AsyncClient(base_url=stack["services"][service]["url"]) as direct:
        assert (await direct.get("/metrics")).status_code == 200  # Prometheus scrapes the pod
        assert (await direct.get("/readyz", params={"kafka": "optional"})).status_code == 200
    assert (await gateway.get(f"/api/{service}/healthz")).status_code == 200


def _client(stack: dict[str, Any], source: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    return httpx.AsyncClient(base_url=stack["gateway"]["url"], transport=transport, timeout=30)


async def _seen_address(stack: dict[str, Any], request_id: str) -> str:
    """The client address nginx logged for a request (its access log line, JSON)."""
    log = Path(stack["state_dir"]) / "logs" / "gateway-access.log"

    async def probe() -> str | None:
        lines = [
            json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if request_id in line
        ]
        return str(lines[-1]["remote_addr"]) if lines else None

    return await eventually(probe, timeout=10, what=f"request {request_id} in {log}")


@pytest.mark.parametrize(
    ("source", "believed"), [(TRUSTED_PROXY, True), ("127.0.0.1", False), ("127.0.0.9", False)]
)
async def test_only_the_configured_proxy_may_name_the_client(
    stack: dict[str, Any], source: str, believed: bool
) -> None:
    request_id = f"xff-{uuid.uuid4().hex}"
    async with _client(stack, source) as client:
        response = await client.get(
            "/healthz", headers={"X-Forwarded-For": "203.0.113.77", "X-Request-ID": request_id}
        )
    assert response.status_code == 200
    assert await _seen_address(stack, request_id) == ("203.0.113.77" if believed else source)


async def test_the_gateways_own_rate_limit_says_when_to_retry(gateway: httpx.AsyncClient) -> None:
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"  # an address of its own: limits are per client
    answers = await asyncio.gather(
        *(
            gateway.post("/api/identity/auth/login", json={}, headers={"X-Forwarded-For": address})
            for _ in range(120)
        )
    )
    limited = [a for a in answers if a.status_code == 429 and a.json()["title"] == "Too many requests"]
    assert limited, sorted({a.status_code for a in answers})
    for answer in limited:
        assert answer.headers["retry-after"] == "1" and answer.headers["content-type"] == MEDIA_TYPE
        assert_secured(answer)
    # A service's answers carry no Retry-After from the gateway.
    assert all("retry-after" not in a.headers for a in answers if a.status_code == 422)
