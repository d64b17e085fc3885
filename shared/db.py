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


def make_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(database_url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)


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
