"""`RequestContext`: the outermost middleware of every service.

It binds the request id and trace for the logs, records the request's latency, echoes
X-Request-ID, and turns an error nothing else handled into a problem+json answer.

It is plain ASGI on purpose. Starlette's `ServerErrorMiddleware` answers an unhandled error with
a 500 and then re-raises it; uvicorn, seeing an exception after the response started, closes the
connection. Behind the gateway that connection is a keep-alive one nginx shares between users,
so the next request already sent on it (often another customer's POST) was reset and lost as a
502. Here the error is answered and *not* re-raised, so the connection stays usable.

Errors that mean "the database is away" (refused or dropped connections, a shutting-down server,
a pool timeout) answer 503 with Retry-After instead of 500: the client should simply retry, and
the service recovers by itself once PostgreSQL is back (the pool pre-pings connections).
"""

import errno
import time
from functools import lru_cache

import asyncpg
from prometheus_client import Histogram
from sqlalchemy import exc as sa_exc
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import INTERNAL, UNAVAILABLE, problem_response
from shared.logging import bind_trace, get_logger
from shared.messages import Text
from shared.metrics import REQUESTS

log = get_logger(__name__)

RETRY_AFTER_SECONDS = 5

DATABASE_AWAY = Text(
    "service.database-away",
    en="The service cannot reach its database for a moment; nothing was changed. Retry in a few seconds.",
    zh_tw="服務暫時無法連線資料庫，資料未變更。請數秒後再試。",
    zh_cn="服务暂时无法连接数据库，数据未更改。请几秒后再试。",
    ja="サービスが一時的にデータベースに接続できません。変更は行われていません。数秒後にもう一度お試しください。",
)
LOGGED = Text(
    "service.error-logged",
    en="The error was logged. Retry, and if it happens again contact support with the request id.",
    zh_tw="錯誤已記錄。請再試一次；若仍發生，請附上請求編號聯絡技術支援。",
    zh_cn="错误已记录。请重试；如仍发生，请附上请求编号联系技术支持。",
    ja="エラーは記録されました。もう一度お試しください。再発する場合はリクエスト ID を添えてサポートにご連絡ください。",
)

_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted
    TimeoutError,
    sa_exc.TimeoutError,  # no pooled connection in time
    asyncpg.PostgresConnectionError,  # class 08: the connection broke
    asyncpg.exceptions.OperatorInterventionError,  # class 57: shutting down, cannot connect now
)
# asyncpg reports a failed connect to several addresses as a bare OSError (errno None).
_NETWORK_ERRNOS = {None, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL, errno.ETIMEDOUT}


def means_database_away(error: BaseException) -> bool:
    """True when `error` (or what caused it) says the database cannot be reached right now."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, _UNAVAILABLE_ERRORS):
            return True
        if type(current) is OSError and current.errno in _NETWORK_ERRNOS:
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        orig = getattr(current, "orig", None)
        pending += [current.__cause__, current.__context__, orig if isinstance(orig, BaseException) else None]
    return False


def _trace_headers(scope: Scope) -> tuple[str | None, str | None]:
    """X-Request-ID and traceparent, read from the raw header list (first of each), without
    building a Headers object for two lookups."""
    request_id = traceparent = None
    for name, value in scope["headers"]:
        if name == b"x-request-id" and request_id is None:
            request_id = value.decode("latin-1")
        elif name == b"traceparent" and traceparent is None:
            traceparent = value.decode("latin-1")
    return request_id, traceparent


@lru_cache(maxsize=4096)
def _latency(method: str, route: str, status: int) -> Histogram:
    """The latency histogram's child for these labels, looked up once: `labels()` takes a lock
    and builds a key on every call. Routes are the app's templates (or "unmatched"), so the
    label sets are few; the cache only bounds them further."""
    return REQUESTS.labels(method, route, status)


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id, traceparent = _trace_headers(scope)
        bind_trace(traceparent, request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_context(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                if request_id:
                    MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_context)
        except Exception as error:
            if response_started:
                # Half a response is out: the only honest thing left is to drop the connection.
                raise
            await self._answer(error, scope, receive, send_with_context)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            _latency(scope["method"], route, status).observe(time.perf_counter() - started)

    @staticmethod
    async def _answer(error: Exception, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        if means_database_away(error):
            log.warning("database unavailable", path=request.url.path, error=repr(error))
            response = problem_response(
                request,
                UNAVAILABLE,
                detail=DATABASE_AWAY(),
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        else:
            log.exception("unhandled error", path=request.url.path, exc_info=error)
            response = problem_response(request, INTERNAL, detail=LOGGED())
        await response(scope, receive, send)
