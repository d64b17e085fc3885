"""Failures stay with the request that caused them.

Through the real gateway configuration: nginx keeps keep-alive connections to each service and
hands them to whichever request comes next, so an error that cost the connection would cost a
different user's request.
"""

import asyncio

import httpx

from tests.gateway.conftest import ProbeGateway

ROUNDS = 30


async def test_an_unexpected_error_never_costs_another_request(probe_gateway: ProbeGateway) -> None:
    """Customer A's requests fail while customer B's posts are in flight beside them: every one of
    B's posts is answered and applied (before the fix, several came back 502 and were lost)."""
    async with (
        httpx.AsyncClient(base_url=probe_gateway.url) as customer_a,
        httpx.AsyncClient(base_url=probe_gateway.url) as customer_b,
    ):
        before = len((await customer_b.get("/api/cases/notes")).json())
        texts = [f"reply {n}" for n in range(ROUNDS)]
        answers = await asyncio.gather(
            *(customer_a.post("/api/cases/boom", headers={"Accept-Language": "ja"}) for _ in range(ROUNDS)),
            *(customer_b.post("/api/cases/notes", json={"text": text}) for text in texts),
        )
        notes = (await customer_b.get("/api/cases/notes")).json()
    failed, kept = answers[:ROUNDS], answers[ROUNDS:]
    assert [a.status_code for a in kept] == [201] * ROUNDS
    assert sorted(notes[before:]) == sorted(texts)
    for answer in failed:
        assert answer.status_code == 500
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["title"] == "システムでエラーが発生しました"


async def test_an_unreachable_database_answers_503_with_retry_after(probe_gateway: ProbeGateway) -> None:
    async with httpx.AsyncClient(base_url=probe_gateway.url) as client:
        answer = await client.get("/api/cases/db", headers={"X-Request-ID": "probe-db"})
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"
        assert int(answer.headers["retry-after"]) > 0
        assert answer.json()["type"] == "/problems/unavailable"
        # The connection survived this too.
        assert (await client.post("/api/cases/notes", json={"text": "after 503"})).status_code == 201
