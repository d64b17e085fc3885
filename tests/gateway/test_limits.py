"""The gateway's own per-address limits on the paths that guessing, spamming and enumeration go
through: each answers a burst with 429 problem+json saying when to retry, before any service
sees the excess. (Behind them the services keep their own hourly limits.)

Run against the real nginx template with every upstream pointed at the probe service, so what
is measured is nginx alone: a request it lets through gets the probe's 404.
"""

import asyncio
import uuid

import httpx
import pytest

from deploy.local.gateway import TRUSTED_PROXY
from shared.http.problems import MEDIA_TYPE
from tests.gateway.conftest import ProbeGateway

BURST = 120  # above every zone's burst (40 for sign-in and license search, 30 for case posts)
CASE = "0b3c9f5e-1111-4222-8333-944445555666"


@pytest.mark.parametrize(
    "path",
    [
        "/api/identity/auth/login",  # sign-in
        "/api/identity/auth/register",
        "/api/identity/auth/verify/resend",
        "/api/identity/auth/password/forgot",
        "/api/identity/auth/password/reset",
        "/api/licensing/me/licenses/search",
        "/api/cases/cases",  # case creation
        f"/api/cases/cases/{CASE}/messages",
        f"/api/cases/cases/{CASE}/attachments",  # an upload starts here (the bytes go to MinIO)
    ],
)
async def test_a_burst_from_one_address_is_refused_with_429_and_retry_after(
    probe_gateway: ProbeGateway, path: str
) -> None:
    address = f"198.18.{uuid.uuid4().int % 250 + 1}.{uuid.uuid4().int % 250 + 1}"  # this case's own
    transport = httpx.AsyncHTTPTransport(local_address=TRUSTED_PROXY)
    async with httpx.AsyncClient(base_url=probe_gateway.url, transport=transport) as client:
        answers = await asyncio.gather(
            *(client.post(path, json={}, headers={"X-Forwarded-For": address}) for _ in range(BURST))
        )
        other_client = await client.post(path, json={}, headers={"X-Forwarded-For": "198.19.0.1"})
    limited = [a for a in answers if a.status_code == 429]
    passed = [a for a in answers if a.status_code == 404]  # reached the probe service
    seen = sorted({a.status_code for a in answers})
    assert limited and passed and len(limited) + len(passed) == BURST, seen
    for answer in limited:
        assert answer.headers["content-type"] == MEDIA_TYPE
        assert answer.headers["retry-after"] == "1"
        problem = answer.json()
        assert problem["type"] == "/problems/rate-limited" and problem["status"] == 429
        assert problem["request_id"] == answer.headers["x-request-id"]
    assert other_client.status_code == 404  # the limit is per address: others are not punished
