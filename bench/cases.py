"""Support desk queue benchmark (prints numbers, asserts nothing).

Seeds N open cases straight into the cases database (one INSERT … SELECT over generate_series),
then times the first page of the desk queue (GET /desk/queue?limit=50, a support engineer's
token, straight to the service: the gateway's rate limit would measure nginx) beside the bare
indexed SELECT of the same page through asyncpg. The ratio is what the endpoint adds: the
per-view counts over every open case, the people of the page, auth, JSON. Seeded rows are deleted
at the end; their SLA due times lie a day ahead so the breach sweep never announces them.

    .venv/bin/python bench/cases.py --state .run [--cases 20000 --requests 200]
"""

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rows import NO_TARGET, Row, emit  # noqa: E402 - the repository root must be importable first
from services.cases.workflow import ACTIVE  # noqa: E402
from tests.conftest import database_url  # noqa: E402
from tests.licensing.helpers import create_staff  # noqa: E402

PAGE = 50

SEED = """
INSERT INTO cases (id, number, account_id, license_id, category, subject, description, product,
                   severity, environment, status, opened_at, updated_at, sla_paused_seconds, sla_due_at)
SELECT gen_random_uuid(), $1 || i, gen_random_uuid(), gen_random_uuid(),
       (ARRAY['feature_question', 'log_interpretation', 'bug'])[1 + i % 3],
       'Benchmark case ' || i, 'Seeded for the queue benchmark', 'OMFLOW',
       (ARRAY['critical', 'high', 'normal', 'low'])[1 + i % 4], '{}'::jsonb,
       (ARRAY['new', 'in_progress', 'waiting_on_customer'])[1 + i % 3],
       now() - i * interval '1 minute', now(), 0,
       CASE WHEN i % 3 = 2 THEN NULL ELSE now() + interval '1 day' + (i % 5000) * interval '1 minute' END
FROM generate_series(1, $2) AS i
"""

# The page the queue's "all" view shows first, without the counts or the people.
BARE_PAGE = """
SELECT * FROM cases
WHERE status = ANY($1::text[]) AND category <> 'security_issue'
ORDER BY sla_due_at ASC NULLS LAST, opened_at
LIMIT $2
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def timed(requests: int, call: Callable[[], Awaitable[None]]) -> list[float]:
    for _ in range(5):  # warm connections, plans and caches
        await call()
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        await call()
        latencies.append(time.perf_counter() - started)
    return latencies


def report(name: str, latencies: list[float]) -> tuple[float, float]:
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    print(f"{name}_p50_ms {p50:.2f}")
    print(f"{name}_p99_ms {p99:.2f}")
    return p50, p99


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, default=ROOT / ".run")
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    stack = json.loads((args.state / "stack.json").read_text())
    prefix = f"BENCH-{uuid.uuid4().hex[:8]}-"
    database = await asyncpg.connect(database_url(stack, "cases"))
    async with httpx.AsyncClient(base_url=stack["services"]["cases"]["url"], timeout=60) as cases:
        engineer = await create_staff(stack, roles="support")
        headers = engineer.headers
        try:
            started = time.perf_counter()
            await database.execute(SEED, prefix, args.cases)
            await database.execute("ANALYZE cases")
            print(f"seeded_cases {args.cases} in {time.perf_counter() - started:.2f} s")
            open_cases = await database.fetchval(
                "SELECT count(*) FROM cases WHERE status = ANY($1::text[])", list(ACTIVE)
            )
            print(f"open_cases_in_database {open_cases}")

            async def endpoint() -> None:
                response = await cases.get("/desk/queue", params={"limit": PAGE}, headers=headers)
                response.raise_for_status()

            async def bare() -> None:
                await database.fetch(BARE_PAGE, list(ACTIVE), PAGE)

            queue_p50, queue_p99 = report("queue_endpoint", await timed(args.requests, endpoint))
            bare_p50, bare_p99 = report("bare_select", await timed(args.requests, bare))
            print(f"ratio_p50 {queue_p50 / bare_p50:.1f}")
            print(f"ratio_p99 {queue_p99 / bare_p99:.1f}")
            emit(
                Row(
                    benchmark=f"desk queue page of {PAGE}, {open_cases:,} open cases, {args.requests} requests",
                    figure=f"p50 {queue_p50:.1f} ms, p99 {queue_p99:.1f} ms",
                    baseline=f"bare SELECT of the page: p50 {bare_p50:.2f} ms, p99 {bare_p99:.2f} ms",
                    ratio=round(bare_p50 / queue_p50, 3),
                    target=NO_TARGET,
                    met=False,
                )
            )
        finally:
            await database.execute("DELETE FROM cases WHERE number LIKE $1", prefix + "%")
            await database.close()


if __name__ == "__main__":
    asyncio.run(main())
