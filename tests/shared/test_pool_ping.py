"""Pooled connections are tested before use only after sitting idle (shared.db), against the
real PostgreSQL: a connection whose server process ended while it idled is replaced, not handed
to a request; one used a moment ago is handed out as it is (no round trips spent testing it)."""

from typing import Any

import asyncpg
import pytest
from sqlalchemy import exc, text

from shared import db
from tests.conftest import database_url


async def _kill_pooled_connection(stack: dict[str, Any], engine: Any) -> int:
    async with engine.connect() as connection:
        backend = int(await connection.scalar(text("SELECT pg_backend_pid()")))
    admin = await asyncpg.connect(database_url(stack, "licensing"))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", backend)
    finally:
        await admin.close()
    return backend


async def test_a_connection_that_died_while_idle_is_replaced_before_use(
    stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_IF_IDLE_SECONDS", 0.0)  # every returned connection counts as idle
    engine = db.make_engine(stack["postgres"]["url_template"].format(db="licensing"), pool_size=1)
    try:
        killed = await _kill_pooled_connection(stack, engine)
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT pg_backend_pid()")) != killed
    finally:
        await engine.dispose()


async def test_a_connection_used_a_moment_ago_is_not_tested_again(
    stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_IF_IDLE_SECONDS", 3600.0)  # nothing counts as idle
    engine = db.make_engine(stack["postgres"]["url_template"].format(db="licensing"), pool_size=1)
    try:
        await _kill_pooled_connection(stack, engine)
        # Not tested, so the dead connection is used: a disconnect error (answered 503 by
        # shared.http.context), and the pool then replaces it.
        with pytest.raises(exc.DBAPIError) as failed:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()
