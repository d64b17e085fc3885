"""The endpoints `bench/licenses_vs_hello.py` measures the license list against, each run by that
benchmark under uvicorn with uvloop and httptools, as the services are:

- `app`: raw ASGI, no framework, answering a fixed JSON body (the issue's baseline);
- `fastapi_hello()`: FastAPI with one authenticated dependency, the services' own
  `shared.auth.current_user` (the same JWT verification against identity's JWKS, the same
  verified-token cache) and FastAPI configured as the services configure it (its native
  telemetry off), answering a small JSON body. Between the two, what the framework and
  the token cost; between it and the license list, what our middleware, the database and the
  view cost.
"""

import os
from typing import Any

from fastapi import FastAPI

from shared.auth import CurrentUser, JwksVerifier
from shared.http.app import NO_NATIVE_TELEMETRY

BODY = b'{"hello":"world"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
JWKS_URL_VARIABLE = "BENCH_JWKS_URL"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def fastapi_hello() -> FastAPI:
    """`uvicorn --factory bench.hello:fastapi_hello`, with identity's JWKS URL in BENCH_JWKS_URL."""
    hello = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, telemetry=NO_NATIVE_TELEMETRY)
    hello.state.jwks = JwksVerifier(os.environ[JWKS_URL_VARIABLE])

    @hello.get("/hello")
    async def greet(user: CurrentUser) -> dict[str, str]:
        return {"hello": str(user.user_id)}

    return hello
