"""Chaos soak: mixed customer traffic through the gateway while a seeded schedule stops and
restarts Kafka, PostgreSQL, MinIO, Mailpit and each service; then the invariants.

    .venv/bin/python bench/soak.py --state .run/soak --seconds 900 --seed 7

Starts (or reuses) the stack in its own state dir: components are stopped on purpose, so never
point it at a stack someone else uses. Prints requests by status, faults injected with the
time each took to recover, releases published, the time to settle and every invariant violation
(tests/soak/invariants.py says what is checked). Exits 1 if there was a violation.
"""

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.local import stack as local_stack
from tests.soak.run import run_soak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--state", type=Path, default=Path(".run/soak"), help="the soak's own stack state dir"
    )
    parser.add_argument("--seconds", type=float, default=900.0, help="traffic duration (default 15 min)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the fault schedule")
    parser.add_argument("--customers", type=int, default=4, help="customers walking the portal at once")
    parser.add_argument("--release-every", type=float, default=30.0, help="seconds between releases")
    args = parser.parse_args()
    stack = local_stack.up(args.state, services=True, quiet=True)
    report = asyncio.run(
        run_soak(
            stack,
            seconds=args.seconds,
            seed=args.seed,
            customers=args.customers,
            release_every=args.release_every,
        )
    )
    print(report.summary(), flush=True)
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
