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

import asyncpg
from sqlalchemy import exc as sa_exc
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import INTERNAL, UNAVAILABLE, problem_response
from shared.logging import bind_trace, get_logger
from shared.metrics import REQUESTS

log = get_logger(__name__)

RETRY_AFTER_SECONDS = 5

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


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = headers.get("x-request-id")
        bind_trace(headers.get("traceparent"), request_id)
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
            REQUESTS.labels(scope["method"], route, status).observe(time.perf_counter() - started)

    @staticmethod
    async def _answer(error: Exception, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        if means_database_away(error):
            log.warning("database unavailable", path=request.url.path, error=repr(error))
            response = problem_response(
                request,
                UNAVAILABLE,
                detail="The database is unreachable for a moment; retry shortly",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        else:
            log.exception("unhandled error", path=request.url.path, exc_info=error)
            response = problem_response(
                request, INTERNAL, detail="The error was logged; please retry or contact support"
            )
        await response(scope, receive, send)
