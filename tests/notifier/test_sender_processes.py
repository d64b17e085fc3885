"""How sender work is shared out between processes, and how a worker's counters reach /metrics
(pure: no stack)."""

import asyncio
import json

import pytest

from services.notifier.sender import MAILS_SENT
from services.notifier.sender_processes import COUNTERS_PREFIX, _read_worker_output, connection_shares


@pytest.mark.parametrize(
    ("connections", "processes", "shares"),
    [(4, 1, [4]), (4, 2, [2, 2]), (5, 2, [3, 2]), (4, 3, [2, 1, 1]), (2, 4, [1, 1])],
)
def test_the_smtp_connections_are_shared_out_and_none_is_added(
    connections: int, processes: int, shares: list[int]
) -> None:
    assert connection_shares(connections, processes) == shares
    assert sum(shares) == connections


def _sent(kind: str) -> float:
    return MAILS_SENT.labels(kind)._value.get()


async def test_a_workers_counter_totals_are_added_once(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    before = _sent("welcome")
    reader = asyncio.StreamReader()
    for total in (3, 3, 5):  # totals, reported again when unchanged elsewhere
        reader.feed_data(
            COUNTERS_PREFIX + json.dumps({"sent": [[{"kind": "welcome"}, total]]}).encode() + b"\n"
        )
    reader.feed_data(b'{"event": "delivery batch done"}\n')
    reader.feed_eof()
    await _read_worker_output(reader)
    assert _sent("welcome") == before + 5
    assert b"delivery batch done" in capfdbinary.readouterr().out  # the worker's log is passed on
