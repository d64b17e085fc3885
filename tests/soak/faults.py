"""A seeded random schedule of outages, carried out through the stack tool.

Each fault stops one component (infrastructure or a service) for a few seconds and starts it
again on the same ports. Faults start about every ten seconds, often before the last one is over,
so outages overlap (Kafka down while PostgreSQL restarts, a service stopped while Mailpit is
away). Every component is hit once per round, so even a short run touches all of them. The same
seed gives the same schedule.

After each restart the injector measures recovery: the time from the restart command until
every running service answers its readiness check again (database and Kafka reachable; Kafka
left out while another fault keeps it down). A recovery measured while another fault was still
active is marked as overlapped.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from deploy.local import stack as local_stack
from deploy.local.paths import SERVICES
from deploy.local.report import StackError

TARGETS = ("kafka", "postgres", "minio", "mailpit", *SERVICES)
INFRA_NEEDED = frozenset({"kafka", "postgres"})  # a service cannot become ready without them
RECOVERY_LIMIT = 300.0  # generous: on a loaded 2-core machine one restart took 175 s
SPACING = 10.0  # seconds between fault starts, on average


@dataclass(frozen=True)
class Fault:
    component: str
    at: float  # seconds after the schedule starts
    down_for: float


@dataclass
class FaultResult:
    fault: Fault
    stopped_at: float = 0.0
    restart_seconds: float = 0.0  # the stack tool's start (until the component itself is ready)
    recovery_seconds: float | None = None  # restart command → every service ready; None: never
    overlapped: bool = False
    skipped: bool = False


def schedule(seed: int, window: float, *, min_down: float = 3.0, max_down: float = 10.0) -> list[Fault]:
    """Faults spread over `window` seconds, one about every SPACING seconds with jitter, each
    component once per round in a shuffled order. An outage plus its restart often outlasts the
    spacing, so about half of them overlap the next."""
    rng = random.Random(seed)
    rounds = max(1, round(window / (SPACING * len(TARGETS))))
    order = [name for _ in range(rounds) for name in rng.sample(TARGETS, len(TARGETS))]
    step = window / len(order)
    return [
        Fault(name, round(i * step + rng.uniform(0, step / 2), 1), round(rng.uniform(min_down, max_down), 1))
        for i, name in enumerate(order)
    ]


@dataclass
class Injector:
    state_dir: Path
    services: dict[str, Any]  # stack.json's "services": each one's direct URL
    results: list[FaultResult] = field(default_factory=list)
    _active: set[str] = field(default_factory=set)

    async def run(self, faults: list[Fault]) -> list[FaultResult]:
        began = time.monotonic()
        await asyncio.gather(*(self._one(fault, began) for fault in faults))
        return self.results

    async def _one(self, fault: Fault, began: float) -> None:
        await asyncio.sleep(max(0.0, began + fault.at - time.monotonic()))
        result = FaultResult(fault)
        self.results.append(result)
        if fault.component in self._active:
            result.skipped = True  # still down from an earlier fault
            return
        self._active.add(fault.component)
        result.stopped_at = time.monotonic() - began
        try:
            await asyncio.to_thread(local_stack.stop, fault.component, self.state_dir)
            await asyncio.sleep(fault.down_for)
        finally:
            restart = time.monotonic()
            await self._start(fault.component)
            result.restart_seconds = time.monotonic() - restart
            self._active.discard(fault.component)
        result.overlapped = bool(self._active)
        result.recovery_seconds = await self._recovered(restart)
        result.overlapped = result.overlapped or bool(self._active)

    async def _start(self, component: str) -> None:
        """Start again as an orchestrator would: a service only once PostgreSQL and Kafka are back
        (it migrates and checks them to become ready), and again if it still failed to."""
        give_up = time.monotonic() + RECOVERY_LIMIT
        while True:
            if component in SERVICES and self._active & INFRA_NEEDED and time.monotonic() < give_up:
                await asyncio.sleep(0.5)
                continue
            try:
                await asyncio.to_thread(local_stack.start, component, self.state_dir)
                return
            except StackError:
                if time.monotonic() > give_up:
                    raise
                await asyncio.sleep(2.0)

    async def _recovered(self, since: float) -> float | None:
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() - since < RECOVERY_LIMIT:
                if await self._running_ready(client):
                    return time.monotonic() - since
                await asyncio.sleep(0.25)
        return None

    async def _running_ready(self, client: httpx.AsyncClient) -> bool:
        """Every service not stopped by another fault is ready again; Kafka is left out of the
        check while another fault keeps it down, PostgreSQL cannot be (nothing is ready without)."""
        if "postgres" in self._active:
            return False
        running = {name: entry for name, entry in self.services.items() if name not in self._active}
        return await all_ready(client, running, kafka_optional="kafka" in self._active)


async def all_ready(
    client: httpx.AsyncClient, services: dict[str, Any], *, kafka_optional: bool = False
) -> bool:
    params = {"kafka": "optional"} if kafka_optional else {}
    for entry in services.values():
        try:
            if (await client.get(f"{entry['url']}/readyz", params=params)).status_code != 200:
                return False
        except httpx.TransportError:
            return False
    return True
