"""The bare endpoint `bench/licenses_vs_hello.py` measures against: raw ASGI, no framework,
answering a fixed JSON body. Run by that benchmark with uvicorn, uvloop and httptools, as the
services are."""

from typing import Any

BODY = b'{"hello":"world"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
