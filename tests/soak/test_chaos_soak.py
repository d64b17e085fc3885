"""The short chaos soak (about two minutes of traffic): mixed customer traffic through the gateway
while Kafka, PostgreSQL, MinIO, Mailpit and every service are stopped and restarted at random,
alone and overlapping; afterwards nothing accepted is lost or applied twice, nothing is stuck
and no answer was a 500. The long run is `bench/soak.py` (figures in bench/README.md).

It stops components on purpose, so it runs on a stack of its own (a sibling of the suite's
state dir): the other tests' stack is never touched, and this one is stopped at the end.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import STATE
from tests.soak.faults import TARGETS
from tests.soak.run import run_soak

SOAK_STATE = Path(os.environ.get("SP_SOAK_STATE", f"{STATE}-soak"))
SECONDS = float(os.environ.get("SP_SOAK_SECONDS", "120"))
SEED = int(os.environ.get("SP_SOAK_SEED", "20261206"))


@pytest.fixture(scope="module")
def soak_stack() -> Iterator[dict[str, Any]]:
    from deploy.local import stack as local_stack

    info = local_stack.up(SOAK_STATE, services=True, quiet=True)
    try:
        yield info
    finally:
        local_stack.down(SOAK_STATE, quiet=True)


async def test_chaos_soak_loses_nothing_and_applies_nothing_twice(soak_stack: dict[str, Any]) -> None:
    report = await run_soak(soak_stack, seconds=SECONDS, seed=SEED)
    print(report.summary())  # shown with -s, and on failure

    injected = {f.fault.component for f in report.faults if f.restart_seconds}
    assert injected == set(TARGETS), f"not every component was stopped: {sorted(set(TARGETS) - injected)}"
    assert any(f.overlapped for f in report.faults), "no two outages overlapped"
    assert all(f.recovery_seconds is not None for f in report.faults if f.restart_seconds), report.summary()
    # Nobody restarted anything by hand: once all is back, a whole customer journey works.
    assert report.journey_after, report.summary()
    assert report.releases >= 2, report.summary()
    unavailable_logged, unavailable = report.logged_503
    assert unavailable_logged == unavailable, report.summary()  # each 503 traceable by request id
    assert report.violations == [], report.summary()
