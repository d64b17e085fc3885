"""shared.ratelimit's record-on-its-own path against the real PostgreSQL (licensing's
`rate_events`): parallel callers of one key never record more than its limit, a key at its limit
keeps the others from recording, and hits older than the window neither count nor stay."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import bindparam, text

from shared import clock, ratelimit
from shared.driver_sql import Compiled
from tests.conftest import database_url

WINDOW = timedelta(minutes=15)
_RECENT = Compiled(
    # The SQL a caller embeds, formatted in with parameter names only.
    text(f"SELECT hits, oldest FROM {ratelimit.recent_hits_sql('key', 'since')} AS recent").bindparams(  # noqa: S608
        bindparam("key"), bindparam("since")
    )
)


@pytest.fixture
async def connections(stack: dict[str, Any]) -> AsyncIterator[list[asyncpg.Connection]]:
    opened = [await asyncpg.connect(database_url(stack, "licensing")) for _ in range(12)]
    try:
        yield opened
    finally:
        for connection in opened:
            await connection.close()


async def _recorded(connection: asyncpg.Connection, key: str) -> int:
    return int(await connection.fetchval("SELECT count(*) FROM rate_events WHERE key = $1", key))


async def test_parallel_callers_of_one_key_record_no_more_than_its_limit(
    connections: list[asyncpg.Connection],
) -> None:
    key, now = f"test:{uuid.uuid4()}", clock.now()
    waits = await asyncio.gather(
        *(
            ratelimit.record_within(connection, [(key, 5)], window=WINDOW, now=now)
            for connection in connections
        )
    )
    assert sorted(wait for (wait,) in waits) == [0] * 5 + [15 * 60] * 7
    assert await _recorded(connections[0], key) == 5
    rows = await _RECENT.fetch(connections[0], key=key, since=now - WINDOW)
    assert (rows[0]["hits"], rows[0]["oldest"]) == (5, now)


async def test_a_key_at_its_limit_keeps_every_key_from_recording(
    connections: list[asyncpg.Connection],
) -> None:
    full, other, now = f"test:{uuid.uuid4()}", f"test:{uuid.uuid4()}", clock.now()
    first = connections[0]
    assert await ratelimit.record_within(first, [(other, 3), (full, 1)], window=WINDOW, now=now) == [0, 0]
    later = now + timedelta(seconds=60)
    assert await ratelimit.record_within(first, [(other, 3), (full, 1)], window=WINDOW, now=later) == [
        0,
        14 * 60,
    ]
    assert (await _recorded(first, other), await _recorded(first, full)) == (1, 1)


async def test_hits_older_than_the_window_neither_count_nor_stay(
    connections: list[asyncpg.Connection],
) -> None:
    key, then = f"test:{uuid.uuid4()}", clock.now() - 2 * WINDOW
    first = connections[0]
    assert await ratelimit.record_within(first, [(key, 1)], window=WINDOW, now=then) == [0]
    assert await ratelimit.record_within(first, [(key, 1)], window=WINDOW, now=clock.now()) == [0]
    assert await _recorded(first, key) == 1  # the old hit was dropped, the new one kept


def test_the_first_refusing_key_gives_the_wait() -> None:
    assert ratelimit.first_wait([0, 7, 3]) == 7
    assert ratelimit.first_wait(iter([4, 0])) == 4
    assert ratelimit.first_wait([0, 0]) == 0
    assert ratelimit.first_wait([]) == 0
