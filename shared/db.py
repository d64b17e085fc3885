"""Async database sessions. The transaction boundary lives at the edge.

A request dependency (`session_dependency`) or the consumer wrapper opens a session and commits
or rolls back; `service.py` functions only `flush` and add outbox rows. The dependency uses
FastAPI's `scope="function"` so the commit happens before the response is sent: a client that
got 201 can read what it just wrote. Routes that only read take `read_only` instead: a pooled
connection's asyncpg connection, no BEGIN and COMMIT around a single SELECT.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import asyncpg
from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn
from sqlmodel.ext.asyncio.session import AsyncSession

# A process's most connections to its database are pool_size + MAX_OVERFLOW; the Kubernetes
# manifests size PostgreSQL's max_connections from these (tests/deploy/test_k8s_production.py).
# All of them are kept in the pool (no overflow): an overflow connection is closed as soon as it
# is returned, so under steady concurrency above the pool size every other request paid for a
# new connection (TCP, SCRAM authentication, and preparing each statement again on it).
POOL_SIZE = 20
MAX_OVERFLOW = 0
# A pooled connection is tested before use only when it sat idle longer than this. SQLAlchemy's
# `pool_pre_ping` tests it on every checkout, and with asyncpg that test is three round trips
# (BEGIN, an empty statement, ROLLBACK): more than the single SELECT of a read route. A
# connection used within the last second was alive a second ago; what kills connections (a
# PostgreSQL restart, an idle timeout, a terminated backend) happens to idle ones. The pool
# hands out the most recently returned connection first (LIFO), so under any steady load the
# same few stay warm and are never pinged, and the rest idle long enough to be tested. Should a
# connection still die in that second, the request answers 503 with Retry-After
# (shared.http.context) and SQLAlchemy discards every connection opened before the failure.
PING_IF_IDLE_SECONDS = 1.0
_RETURNED_AT = "returned_at"


def _remember_return(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_RETURNED_AT] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:
    returned_at = record.info.get(_RETURNED_AT)
    if returned_at is None or time.monotonic() - returned_at <= PING_IF_IDLE_SECONDS:
        return  # just opened, or used a moment ago
    try:
        dbapi_connection.ping()
    except Exception as error:
        # The pool discards this connection and checks out another (a fresh one if need be).
        raise exc.DisconnectionError(f"pooled connection is gone: {error!r}") from error


def make_engine(database_url: str, *, pool_size: int = POOL_SIZE) -> AsyncEngine:
    engine = create_async_engine(
        database_url, pool_size=pool_size, max_overflow=MAX_OVERFLOW, pool_use_lifo=True
    )
    event.listen(engine.sync_engine.pool, "checkin", _remember_return)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any exception except a refusal that
    asks to keep its changes (`Problem(keep_changes=True)`, duck-typed: shared.db knows no HTTP)."""
    async with sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException as error:
            if getattr(error, "keep_changes", False) is True:
                await session.commit()
            else:
                await session.rollback()
            raise


# What a read leaves behind when it fails this way may be a broken or busy connection (dropped,
# timed out, cancelled mid-query): it is closed instead of going back to the pool, where the
# most-recently-returned-first order would hand it straight to the next request unpinged.
_CONNECTION_SUSPECT: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionError and the like
    TimeoutError,
    asyncio.CancelledError,
    asyncpg.InterfaceError,  # the connection is closed, or another operation is in progress
    asyncpg.PostgresConnectionError,
)


@asynccontextmanager
async def read_only(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """The asyncpg connection of a pooled connection, for a route that only reads.

    Its statements go straight to asyncpg (`shared.driver_sql.Compiled`), each on its own
    (autocommit, as no transaction is begun): a single SELECT is one round trip, without
    SQLAlchemy's per-statement work or its autocommit switch and reset around the checkout.
    The connection is the pool's own (same size, same idle ping). Several statements on it do
    not share a snapshot; a route that needs one consistent view of several reads takes a
    transaction."""
    pooled = await engine.raw_connection()
    connection = cast(asyncpg.Connection, pooled.driver_connection)
    if connection.is_closed():
        # Its server process ended since it was returned (a restart, a terminated backend) and
        # the driver has already heard so: take another instead of failing this request.
        await greenlet_spawn(pooled.invalidate)
        pooled = await engine.raw_connection()
        connection = cast(asyncpg.Connection, pooled.driver_connection)
    try:
        yield connection
    except BaseException as error:
        if isinstance(error, _CONNECTION_SUSPECT) or connection.is_closed():
            await greenlet_spawn(pooled.invalidate, error)  # closed; the pool opens another
        else:
            await greenlet_spawn(pooled.close)
        raise
    await greenlet_spawn(pooled.close)  # back to the pool
