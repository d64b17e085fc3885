"""CPU time and memory of a stack process, read from /proc: per-request costs that stay steady
when the machine is shared (wall-clock rates then only say how much of the cores we got)."""

import asyncio
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from tests.conftest import database_url

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def service_pid(state: Path, name: str) -> int:
    """The pid deploy.local recorded for a component of the stack in `state`."""
    return int(json.loads((Path(state) / "pids" / f"{name}.json").read_text())["pid"])


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND  # utime, stime


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (the peak so far) in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            found[name] = int(value.split()[0])
    return found


@dataclass
class CpuMeter:
    """`with CpuMeter(pid) as meter: …` then `meter.per(n)`: the process's CPU per unit of work."""

    pid: int
    seconds: float = 0.0

    def __enter__(self) -> "CpuMeter":
        self._start = cpu_seconds(self.pid)
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = cpu_seconds(self.pid) - self._start

    def per(self, count: int) -> float:
        return self.seconds / max(1, count)


def load_average() -> str:
    """The 1-minute load average, to print beside every figure (a shared machine skews them)."""
    return Path("/proc/loadavg").read_text().split()[0]


async def outbox_drained(stack: dict[str, Any], service: str, deadline_seconds: float = 60) -> None:
    """Wait until the service's relay has published everything queued: the CPU it spends on that
    belongs to the requests measured, so a per-request figure is read only after it."""
    connection = await asyncpg.connect(database_url(stack, service))
    try:
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            if not await connection.fetchval("SELECT count(*) FROM outbox"):
                return
            await asyncio.sleep(0.05)
    finally:
        await connection.close()
