"""Waiting for the database at start-up instead of exiting.

A service whose start touches its database (identity and licensing make sure a signing key
exists) would otherwise exit when PostgreSQL is late: a pod starting before the database
pods, a compose stack coming up at once, a failover. Like the outbox relay and the consumers,
it waits and retries with a capped exponential backoff; errors that mean something else than
"not reachable yet" still stop the start at once.
"""

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from shared.logging import get_logger

log = get_logger(__name__)

# SQLSTATEs of a database that is there but not ready: class 08 (connection exception),
# 57P03 (cannot connect now: starting up, recovering), 3D000 (the database is being created),
# 42P01 (a table is missing: the migration job has not finished yet).
_NOT_READY_SQLSTATES = ("57P03", "3D000", "42P01")


def database_not_ready(error: BaseException) -> bool:
    if isinstance(error, OSError):  # refused, unknown host, timeout (TimeoutError is an OSError)
        return True
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        sqlstate = getattr(error.orig, "sqlstate", None) or ""
        return sqlstate.startswith("08") or sqlstate in _NOT_READY_SQLSTATES
    return False


async def retry_while_database_not_ready(
    step: Callable[[], Awaitable[None]],
    *,
    what: str,
    first_delay: float = 0.2,
    max_delay: float = 5.0,
) -> None:
    delay = first_delay
    while True:
        try:
            await step()
            return
        except Exception as error:
            if not database_not_ready(error):
                raise
            log.warning("database not ready, retrying", step=what, error=repr(error), retry_in=delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_delay)
