"""Text every service refuses before it reaches an endpoint: NUL characters.

PostgreSQL `text` cannot hold U+0000 (asyncpg: `invalid byte sequence for encoding "UTF8": 0x00`),
so a NUL anywhere in a request would surface as a 500 from whichever query first touched it.
One rule, applied to every request of every service rather than to each field: a NUL in the
path, in a query parameter or in any string of a JSON body (keys included) is a 422
problem+json naming the field, before any handler or database work.

Bodies are scanned only when they are JSON: the raw bytes are first searched for the escape
(`\\u0000`, the only way JSON can carry NUL; a raw NUL byte is invalid JSON and already a 422),
and only then parsed to find which field holds it. Other bodies (CSV uploads) have their own
parsers and limits.
"""

import json
from contextlib import suppress
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import VALIDATION, problem_response

NUL = "\x00"
NUL_MESSAGE = "must not contain the NUL character (U+0000)"
NUL_CODE = "nul_character"
_JSON_NUL = b"\\u0000"
# Above this a JSON body is not scanned: every service caps bodies far below it.
MAX_SCANNED_BYTES = 4 * 1024 * 1024


def _error(field: str) -> dict[str, str]:
    return {"field": field, "message": NUL_MESSAGE, "code": NUL_CODE}


def nul_in_query(query_string: bytes) -> list[dict[str, str]]:
    text = query_string.decode("latin-1")
    if "%00" not in text and NUL not in text:
        return []
    pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")
    return [_error(f"query.{name.replace(NUL, '')}") for name, value in pairs if NUL in name + value]


def nul_in_json(value: Any, path: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Field errors for every string (or key) holding NUL, with dotted paths (`items.0.name`)."""
    if isinstance(value, str):
        return [_error(".".join(path) or "body")] if NUL in value else []
    if isinstance(value, dict):
        errors = []
        for key, item in value.items():
            name = key.replace(NUL, "")
            if NUL in key:
                errors.append(_error(".".join((*path, name))))
            errors += nul_in_json(item, (*path, name))
        return errors
    if isinstance(value, list):
        return [e for index, item in enumerate(value) for e in nul_in_json(item, (*path, str(index)))]
    return []


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media = value.split(b";")[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


class RefuseNulCharacters:
    """Pure ASGI (no BaseHTTPMiddleware): the body is buffered once and replayed unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        errors = [_error("path")] if NUL in scope["path"] else []  # the server decoded %00 already
        errors += nul_in_query(scope.get("query_string", b""))
        if not errors and _is_json(scope):
            messages, body = await _buffer(receive)
            if _JSON_NUL in body and len(body) <= MAX_SCANNED_BYTES:
                with suppress(ValueError):  # not JSON after all: the endpoint's validation answers
                    errors = nul_in_json(json.loads(body))
            receive = _replay(messages, receive)
        if errors:
            await problem_response(Request(scope), VALIDATION, errors=errors)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _buffer(receive: Receive) -> tuple[list[Message], bytes]:
    messages: list[Message] = []
    body = bytearray()
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False) or len(body) > MAX_SCANNED_BYTES:
            break
    return messages, bytes(body)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay
