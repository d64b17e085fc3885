"""The gateway under abuse, with the real nginx configuration: every request carries an id end
to end, slow and oversized clients are cut off without taking the gateway down. (Its own 429s:
tests/gateway/test_gateway.py.)"""

import json
import re
import socket
from urllib.parse import urlsplit

import httpx

from tests.gateway.conftest import ProbeGateway
from tests.kit import eventually


async def test_a_request_id_is_minted_when_absent_passed_on_returned_and_logged(
    probe_gateway: ProbeGateway,
) -> None:
    async with httpx.AsyncClient(base_url=probe_gateway.url) as client:
        minted = await client.get("/api/cases/echo")
        kept = await client.get("/api/cases/echo", headers={"X-Request-ID": "case-7-reply-2"})
        refused = await client.get("/api/cases/echo", headers={"X-Request-ID": "bad id\twith tab"})
        failed = await client.post("/api/cases/boom")
    assert re.fullmatch(r"[0-9a-f]{32}", minted.headers["x-request-id"])
    assert minted.json()["request_id"] == minted.headers["x-request-id"]
    assert kept.json()["request_id"] == kept.headers["x-request-id"] == "case-7-reply-2"
    assert refused.headers["x-request-id"] != "bad id\twith tab"  # a malformed id is replaced
    request_id = failed.headers["x-request-id"]

    async def logged() -> bool:
        lines = [
            json.loads(line) for line in probe_gateway.log.read_text().splitlines() if line.startswith("{")
        ]
        return any(
            line.get("request_id") == request_id and line["event"] == "unhandled error" for line in lines
        )

    await eventually(logged, timeout=10, what="the service's log line carries the gateway's request id")


def _address(probe_gateway: ProbeGateway) -> tuple[str, int]:
    parts = urlsplit(probe_gateway.url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


async def test_slow_clients_are_cut_off_and_others_are_still_served(probe_gateway: ProbeGateway) -> None:
    host, port = _address(probe_gateway)
    slow = []
    for _ in range(200):  # bounded: far below worker_connections, far above a handful
        connection = socket.create_connection((host, port))
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: portal\r\nX-Slow: ")  # never finished
        connection.setblocking(False)
        slow.append(connection)
    try:
        async with httpx.AsyncClient(base_url=probe_gateway.url) as client:
            assert (await client.get("/api/cases/echo")).status_code == 200

        def closed(connection: socket.socket) -> bool:
            try:
                return connection.recv(4096) is not None  # b"" (closed) or a 408 before closing
            except BlockingIOError:
                return False
            except ConnectionError:
                return True

        async def all_cut_off() -> bool:
            return all(closed(c) for c in slow)

        await eventually(
            all_cut_off, timeout=40, interval=0.5, what="the gateway drops clients too slow to send headers"
        )
    finally:
        for connection in slow:
            connection.close()


async def test_oversized_headers_and_bodies_are_refused_and_the_gateway_stays_up(
    probe_gateway: ProbeGateway,
) -> None:
    async with httpx.AsyncClient(base_url=probe_gateway.url) as client:
        huge_header = await client.get("/api/cases/echo", headers={"X-Padding": "x" * 40_000})
        huge_body = await client.post(  # above the portal-wide 10 MiB (case attachments go to MinIO)
            "/api/licensing/admin/licenses",
            content=b"{" + b" " * (11 * 1024 * 1024) + b"}",
            headers={"Content-Type": "application/json"},
        )
        after = await client.get("/api/cases/echo")
    assert huge_header.status_code in (400, 431, 494)
    assert huge_body.status_code == 413
    assert huge_body.headers["content-type"] == "application/problem+json"
    assert after.status_code == 200
