"""Async database sessions. The transaction boundary lives at the edge.

A request dependency (`session_dependency`) or the consumer wrapper opens a session and commits
or rolls back; `service.py` functions only `flush` and add outbox rows. The dependency uses
FastAPI's `scope="function"` so the commit happens before the response is sent: a client that
got 201 can read what it just wrote.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

# A process's most connections to its database are pool_size + MAX_OVERFLOW; the Kubernetes
# manifests size PostgreSQL's max_connections from these (tests/deploy/test_k8s_production.py).
# All of them are kept in the pool (no overflow): an overflow connection is closed as soon as it
# is returned, so under steady concurrency above the pool size every other request paid for a
# new connection (TCP, SCRAM authentication, and preparing each statement again on it).
POOL_SIZE = 20
MAX_OVERFLOW = 0


def make_engine(database_url: str, *, pool_size: int = POOL_SIZE) -> AsyncEngine:
    return create_async_engine(
        database_url, pool_size=pool_size, max_overflow=MAX_OVERFLOW, pool_pre_ping=True
    )


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
