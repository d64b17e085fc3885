"""`shared.db.read_only` against the real PostgreSQL: the pool's own connection handed to the
driver, statements each on their own (no transaction), the connection back in the pool after
use; a connection that broke under a read is closed, not handed to the next request, and one
whose server process ended while it sat in the pool is replaced before use."""

import asyncio
import time
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from shared import db
from tests.conftest import database_url


@pytest.fixture
async def engine(stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(db, "PING_IF_IDLE_SECONDS", 3600.0)  # never pinged: the rules below alone
    engine = db.make_engine(stack["postgres"]["url_template"].format(db="licensing"), pool_size=1)
    yield engine
    await engine.dispose()


async def _backend(engine: AsyncEngine) -> int:
    async with db.read_only(engine) as connection:
        return int(await connection.fetchval("SELECT pg_backend_pid()"))


async def _terminate(stack: dict[str, Any], backend: int) -> None:
    """End the server process and wait until it is gone (the client hears of it meanwhile)."""
    admin = await asyncpg.connect(database_url(stack, "licensing"))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)", backend)
        deadline = time.monotonic() + 5
        while await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", backend):
            assert time.monotonic() < deadline, "the terminated backend is still there"
    finally:
        await admin.close()


async def test_reads_run_outside_a_transaction_on_the_pooled_connection(engine: AsyncEngine) -> None:
    async with db.read_only(engine) as connection:
        # Each statement its own transaction: inside one, both would name the same.
        first = await connection.fetchval("SELECT pg_current_xact_id()::text")
        assert await connection.fetchval("SELECT pg_current_xact_id()::text") != first
        assert not connection.is_in_transaction()
    # Back in the pool (of one): the next read gets the same server process.
    assert await _backend(engine) == await _backend(engine)


async def test_an_error_of_the_application_keeps_the_connection(engine: AsyncEngine) -> None:
    backend = await _backend(engine)
    with pytest.raises(asyncpg.UndefinedTableError):
        async with db.read_only(engine) as connection:
            await connection.fetch("SELECT * FROM no_such_table")
    with pytest.raises(LookupError):
        async with db.read_only(engine):
            raise LookupError("a 404 raised while the connection is held")
    assert await _backend(engine) == backend


async def test_a_connection_that_broke_under_a_read_is_not_handed_out_again(
    stack: dict[str, Any], engine: AsyncEngine
) -> None:
    backend = await _backend(engine)
    with pytest.raises(asyncpg.PostgresConnectionError):  # answered 503 by shared.http.context
        async with db.read_only(engine) as connection:
            ending = asyncio.create_task(_terminate(stack, backend))
            try:
                await connection.fetch("SELECT pg_sleep(30)")  # ended by the termination
            finally:
                await ending
    assert await _backend(engine) != backend


async def test_a_connection_that_ended_in_the_pool_is_replaced_before_use(
    stack: dict[str, Any], engine: AsyncEngine
) -> None:
    backend = await _backend(engine)
    await _terminate(stack, backend)
    async with db.read_only(engine) as connection:  # no error: another connection is taken
        assert int(await connection.fetchval("SELECT pg_backend_pid()")) != backend


async def test_a_read_cut_short_does_not_leave_its_connection_in_the_pool(engine: AsyncEngine) -> None:
    """A timeout or a client gone mid-query leaves the connection busy: it is closed, and the
    next read gets a working one."""
    backend = await _backend(engine)
    with pytest.raises(TimeoutError):
        async with db.read_only(engine) as connection:
            await asyncio.wait_for(connection.fetch("SELECT pg_sleep(30)"), timeout=0.2)
    assert await _backend(engine) != backend
