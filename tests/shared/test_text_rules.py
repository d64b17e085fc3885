"""The NUL rule as an ASGI layer (pure: a tiny app, no stack)."""

import json

import httpx
from fastapi import FastAPI, Request
from pydantic import BaseModel

from shared.http.problems import install_problem_handlers
from shared.http.text_rules import RefuseNulCharacters, nul_in_json, nul_in_query


class Item(BaseModel):
    name: str


class Order(BaseModel):
    note: str
    items: list[Item]


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RefuseNulCharacters)

    @app.post("/orders")
    async def order(body: Order) -> Order:
        return body

    @app.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    return app


async def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://test")


def test_json_paths_name_every_string_holding_nul() -> None:
    document = {"note": "ok", "items": [{"name": "a"}, {"name": "b\x00"}], "k\x00": 1}
    assert [e["field"] for e in nul_in_json(document)] == ["items.1.name", "k"]
    assert nul_in_json({"n": 1, "b": True, "z": None, "s": "\\u0000"}) == []


def test_query_parameters_holding_nul_are_named() -> None:
    assert [e["field"] for e in nul_in_query(b"q=a%00b&limit=5")] == ["query.q"]
    assert nul_in_query(b"q=%2500") == []  # an escaped percent sign is text, not NUL


async def test_nul_in_a_nested_field_is_a_422_before_the_endpoint() -> None:
    async with await _client() as client:
        response = await client.post("/orders", json={"note": "x", "items": [{"name": "\x00"}]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {
            "field": "items.0.name",
            "message": "must not contain the NUL character (U+0000)",
            "code": "nul_character",
        }
    ]


async def test_clean_and_escaped_text_reaches_the_endpoint_unchanged() -> None:
    order = {"note": "a backslash-u: \\u0000", "items": [{"name": "手冊"}]}
    async with await _client() as client:
        response = await client.post("/orders", json=order)
        raw = await client.post("/raw", content=b"a\x00b", headers={"content-type": "text/csv"})
        query = await client.post("/orders?q=%00", json=order)
    assert response.status_code == 200 and response.json() == order
    assert raw.status_code == 200 and raw.json() == {"length": 3}  # other bodies are not this rule's
    assert query.status_code == 422 and query.json()["errors"][0]["field"] == "query.q"


async def test_a_large_body_is_replayed_whole() -> None:
    order = {"note": "x" * 300_000 + "\\u0000", "items": []}
    async with await _client() as client:
        response = await client.post(
            "/orders", content=json.dumps(order), headers={"content-type": "application/json"}
        )
    assert response.status_code == 200 and response.json() == order
