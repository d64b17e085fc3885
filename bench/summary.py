"""`make bench`: run every benchmark against one stack and print one table of their targets.

    .venv/bin/python -m bench.summary --state .run [--only event_latency,cases] [--skip fanout]
        [--args 'cases=--cases 20000 --requests 200']

Each script runs as it would by hand (its own output goes by as it runs) with modest sizes, so
the whole run takes about 10–15 minutes on a quiet machine; `--args NAME=...` replaces a
script's sizes. Every script prints one `BENCH-ROW` line per figure it has a target or a
baseline for (bench/rows.py); the table at the end gathers them: benchmark, our figure, the
baseline measured beside it, the ratio, the target and ✓/✗, with the load average at the start
and the end (the machine's other load moves every wall-clock figure). A script that fails gets
a ✗ row saying so and the others still run. bench/soak.py is not here: it stops and starts
parts of its stack, so it needs one of its own.
"""

import argparse
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rows import NO_TARGET, Row, parse  # noqa: E402

# (module, sizes): small enough for minutes, large enough that the ratios mean something.
BENCHMARKS: tuple[tuple[str, str], ...] = (
    ("event_latency", "--relay-events 20000 --runs 5 --seconds 30"),
    ("fanout", "-n 10000"),
    ("identity", ""),
    ("licensing", ""),
    ("licenses_vs_hello", "--seconds 15 --connections 20"),
    ("downloads", "--requests 1000 --concurrency 20 --size-mb 100 --rounds 3"),
    ("revocation", "--rounds 30"),
    ("inbound_mail", "--mails 300 --connections 4 --customers 50"),
    ("cases", "--cases 20000 --requests 200"),
    ("attachments", "--size-mb 100 --rounds 3"),
    ("release_upload", "--size-mb 256 --rounds 3"),
)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def collect(lines: Iterable[str]) -> list[Row]:
    return [row for line in lines if (row := parse(line.rstrip("\n"))) is not None]


def failed_row(name: str, returncode: int) -> Row:
    return Row(
        benchmark=f"{name}: the script failed (exit {returncode}), see its output above",
        figure="—",
        baseline="—",
        ratio=None,
        target="runs to the end",
        met=False,
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def tabulate(rows: list[Row]) -> str:
    """A Markdown table (readable in a terminal, pasteable into bench/README.md)."""
    lines = [
        "| benchmark | our figure | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}"
        verdict = "—" if row.target == NO_TARGET else "✓" if row.met else "✗"
        cells = (row.benchmark, row.figure, row.baseline, ratio, row.target, verdict)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def run_one(name: str, state: str, sizes: str) -> tuple[list[Row], int]:
    """Run `python -m bench.<name>`, echoing its output, and keep its rows."""
    command = [sys.executable, "-m", f"bench.{name}", "--state", state, *shlex.split(sizes)]
    print(f"\n== {name}: {shlex.join(command[1:])}   (load average {load_average()})", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    lines = []
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line)
    return collect(lines), process.returncode


def parse_overrides(values: list[str], known: set[str]) -> dict[str, str]:
    overrides = {}
    for value in values:
        name, separator, sizes = value.partition("=")
        if not separator or name not in known:
            raise SystemExit(f"--args wants NAME=OPTIONS with NAME one of {', '.join(sorted(known))}")
        overrides[name] = sizes
    return overrides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", default=str(ROOT / ".run"), help="the stack's state dir (default .run)")
    parser.add_argument("--only", default="", help="comma-separated benchmarks to run (default: all)")
    parser.add_argument("--skip", default="", help="comma-separated benchmarks to leave out")
    parser.add_argument(
        "--args", action="append", default=[], metavar="NAME=OPTIONS", help="replace a benchmark's sizes"
    )
    args = parser.parse_args()
    known = {name for name, _ in BENCHMARKS}
    only = {n for n in args.only.split(",") if n}
    skip = {n for n in args.skip.split(",") if n}
    if unknown := (only | skip) - known:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    overrides = parse_overrides(args.args, known)

    load_at_start, began = load_average(), time.monotonic()
    rows: list[Row] = []
    failures = 0
    for name, sizes in BENCHMARKS:
        if (only and name not in only) or name in skip:
            continue
        found, returncode = run_one(name, args.state, overrides.get(name, sizes))
        rows += found
        if returncode != 0:
            failures += 1
            rows.append(failed_row(name, returncode))
    minutes = (time.monotonic() - began) / 60
    print(f"\n{tabulate(rows)}\n")
    print(
        f"load average at start {load_at_start}, at end {load_average()}; {minutes:.1f} min; "
        f"{sum(r.met for r in rows)} of {sum(r.target != NO_TARGET for r in rows)} targets met",
        flush=True,
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
