"""A service whose start touches the database waits for a late database instead of exiting."""

import socket

import pytest

from shared.db import make_engine
from shared.startup import database_not_ready, retry_while_database_not_ready


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_refused_connection_counts_as_not_ready() -> None:
    engine = make_engine(f"postgresql+asyncpg://nobody:nothing@127.0.0.1:{_closed_port()}/none")
    try:
        with pytest.raises(Exception) as raised:
            async with engine.connect():
                pass
        assert database_not_ready(raised.value)
    finally:
        await engine.dispose()


async def test_start_up_is_retried_until_the_database_answers() -> None:
    attempts: list[int] = []

    async def step() -> None:
        attempts.append(len(attempts))
        if len(attempts) < 3:
            raise ConnectionRefusedError("not yet")

    await retry_while_database_not_ready(step, what="test", first_delay=0.01)
    assert len(attempts) == 3


async def test_other_errors_stop_the_start_at_once() -> None:
    attempts: list[int] = []

    async def step() -> None:
        attempts.append(1)
        raise ValueError("a bug, not a late database")

    with pytest.raises(ValueError):
        await retry_while_database_not_ready(step, what="test", first_delay=0.01)
    assert attempts == [1]
