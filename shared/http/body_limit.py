"""A cap on request bodies, before any handler reads one.

The gateway caps bodies too, but a service is also reachable directly (health checks, other
replicas, a misconfigured proxy), and a service that parses JSON must not buffer whatever it is
sent. A plain ASGI layer (no BaseHTTPMiddleware, which would buffer and spawn a task per
request): a declared Content-Length over the cap is refused at once, and a streamed (chunked)
body is counted as it arrives and refused as soon as it passes the cap. Either way the answer is
413 problem+json with a translated detail naming the limit.
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import TOO_LARGE, problem_response
from shared.messages import Text

# Above every body a service takes (licensing's CSV import, 20 MiB, is the largest); a service
# of small JSON documents passes a lower cap to create_service_app.
DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024

SEND_AT_MOST = Text(
    "problem.body-too-large",
    en="Send at most {kib} KiB in one request.",
    zh_tw="每個請求最多只能傳送 {kib} KiB，請縮減內容後再試。",
    zh_cn="每个请求最多只能发送 {kib} KiB，请缩减内容后再试。",
    ja="1 回のリクエストで送信できるのは {kib} KiB までです。内容を減らして再度お試しください。",
)


class _BodyTooLarge(Exception):
    """Raised into the application's `receive` when a streamed body passes the cap."""


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared Content-Length (None if absent or not a number) and whether the body comes
    in chunks (Transfer-Encoding). Neither means no body at all (HTTP/1.1 message framing)."""
    declared: int | None = None
    chunked = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            declared = int(value) if value.isdigit() else None
            if declared is None:
                chunked = True  # a length the server let through unparsed: count what arrives
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


class LimitRequestBody:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = SEND_AT_MOST(kib=self.max_bytes // 1024)
        await problem_response(Request(scope), TOO_LARGE, detail=detail)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _framing(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        if not chunked and not declared:
            # No body (a GET, a DELETE, an empty POST): nothing to count, so no wrapper around
            # every message the application receives and sends.
            await self.app(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            # Whatever the application makes of a body cut short (FastAPI answers 400) is
            # replaced by the 413 below.
            if exceeded and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send)
