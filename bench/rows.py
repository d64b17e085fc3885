"""One summary row per measured target, so `make bench` can print one table of every benchmark.

A benchmark script calls `emit(...)` once per figure it has a target for; the line it prints
(`BENCH-ROW {json}`) is read back by `bench/summary.py`, which runs the scripts and tabulates
figure, baseline, ratio, target and ✓/✗. The script's own human-readable output stays as it is.
"""

import json
from dataclasses import asdict, dataclass

PREFIX = "BENCH-ROW "
# The target of a row that has a baseline but no target: the table shows "—" instead of ✓/✗.
NO_TARGET = "—"


@dataclass(frozen=True)
class Row:
    benchmark: str  # what was measured, e.g. "release fan-out, 10,000 recipients"
    figure: str  # our number with its unit, e.g. "812 mails/s"
    baseline: str  # the baseline run beside it, e.g. "smtp-source, 4 sessions: 990 mails/s"
    ratio: float | None  # figure ÷ baseline in the direction where higher is better; None if none
    target: str  # e.g. "≥ 0.8× smtp-source" or "p99 < 50 ms in 4 of 5 runs"
    met: bool


def emit(row: Row) -> None:
    print(PREFIX + json.dumps(asdict(row), ensure_ascii=False), flush=True)


def parse(line: str) -> Row | None:
    if not line.startswith(PREFIX):
        return None
    return Row(**json.loads(line[len(PREFIX) :]))
