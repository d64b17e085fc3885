"""The cyclic garbage collector's pauses in a measured process, from `gc.callbacks`.

A collection stops the process's event loop: every record waiting for that consumer or relay
waits as long as the collection takes. A young collection walks the objects allocated since the
last one (cheap); an old (generation 2) one walks every tracked object of the process, which
for a service that imported SQLAlchemy, pydantic and aiokafka is hundreds of thousands, unless
start-up's objects were frozen out of its sight (`gc.freeze()`, as `shared.http.app` does when a
service starts).
"""

import gc
import signal
import time
from collections.abc import Callable
from typing import Any


class GcPauses:
    """Install with `GcPauses().install()`; SIGUSR1 starts the measured window afresh (and calls
    whatever else was added to `on_reset`)."""

    def __init__(self) -> None:
        self.on_reset: list[Callable[[], None]] = []
        self._started = (0.0, 0.0)
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self.cpu: dict[int, float] = {0: 0.0, 1: 0.0, 2: 0.0}

    def install(self) -> "GcPauses":
        gc.callbacks.append(self._observe)
        signal.signal(signal.SIGUSR1, lambda *_: self.reset())
        return self

    def reset(self) -> None:
        self.pauses = {0: [], 1: [], 2: []}
        self.cpu = {0: 0.0, 1: 0.0, 2: 0.0}
        for hook in self.on_reset:
            hook()

    def _observe(self, phase: str, info: dict[str, Any]) -> None:
        # Wall clock (what the waiting records feel, preemption included) and the thread's CPU
        # (what the collection itself costs).
        if phase == "start":
            self._started = (time.perf_counter(), time.thread_time())
        else:
            generation = info["generation"]
            self.pauses[generation].append(time.perf_counter() - self._started[0])
            self.cpu[generation] += time.thread_time() - self._started[1]

    def summary(self) -> dict[str, Any]:
        """Per generation: collections, their total and longest pause (ms); and the pauses over
        5 ms, the ones a p99 of tens of milliseconds can feel."""
        every = [p for pauses in self.pauses.values() for p in pauses]
        return {
            **{
                f"gen{generation}": {
                    "count": len(pauses),
                    "total_ms": sum(pauses) * 1000,
                    "max_ms": max(pauses, default=0.0) * 1000,
                    "cpu_ms": self.cpu[generation] * 1000,
                }
                for generation, pauses in self.pauses.items()
            },
            "over_5ms": sum(p > 0.005 for p in every),
            "frozen_objects": gc.get_freeze_count(),
        }


def freeze_start_up() -> None:
    """What a service does once it has started (shared.http.app): collect, then freeze."""
    gc.collect()
    gc.freeze()


def describe(summary: dict[str, Any]) -> str:
    generations = ", ".join(
        f"gen{g} {summary[f'gen{g}']['count']}× max {summary[f'gen{g}']['max_ms']:.1f} ms "
        f"(Σ {summary[f'gen{g}']['total_ms']:.0f} ms, CPU {summary[f'gen{g}']['cpu_ms']:.0f} ms)"
        for g in (0, 1, 2)
    )
    return f"{generations}; {summary['over_5ms']} over 5 ms; {summary['frozen_objects']:,} objects frozen"
