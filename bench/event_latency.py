"""Event latency and relay throughput on the real stack (PostgreSQL + Kafka).

Measures what a user of the backbone feels: the time from an outbox commit to the moment a
consumer has committed its effect, at a steady offered load, plus the relay's maximum
publishing rate. Writer, relay and consumer run as three processes, like three services.

    python bench/event_latency.py [--state .run] [--rates 200,1000] [--seconds 30]

It prints numbers; it asserts nothing (machines here are noisy). Baseline beside the relay:
the same messages produced straight to Kafka by one aiokafka producer, no database.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiokafka import AIOKafkaProducer  # noqa: E402
from sqlalchemy import text  # noqa: E402

from shared import clock  # noqa: E402
from shared.consumer import EventConsumer  # noqa: E402
from shared.db import make_engine, make_sessionmaker  # noqa: E402
from shared.events import Envelope, Event  # noqa: E402
from shared.migrations import MESSAGING_DDL  # noqa: E402
from shared.outbox import event_headers  # noqa: E402
from shared.relay import OutboxRelay  # noqa: E402
from shared.topics import dlq_topic, ensure_topics  # noqa: E402


class BenchPing(Event):
    subject_field = "key"
    topic = "bench.ping"
    type = "bench.Ping.v1"
    key: str
    committed_at: float


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- roles run in their own processes -------------------------------------------------------


async def run_relay(dsn: str, bootstrap: str) -> None:
    await OutboxRelay("bench", dsn, bootstrap).run()


async def run_consumer(url: str, bootstrap: str, topic: str, results: Path, expected: int) -> None:
    BenchPing.topic = topic
    sessions = make_sessionmaker(make_engine(url, pool_size=5))
    latencies: list[float] = []
    relay_legs: list[float] = []
    done = asyncio.Event()

    async def handle(session, envelope: Envelope[Any]) -> None:
        await session.exec(text("INSERT INTO effects (event_id) VALUES (:id)"), params={"id": envelope.id})

    class TimedConsumer(EventConsumer):
        async def _handle_in_order(self, records) -> None:  # type: ignore[no-untyped-def]
            await super()._handle_in_order(records)  # returns after the effects committed
            now = clock.now().timestamp()
            for record in records:
                committed_at = json.loads(record.value)["data"]["committed_at"]
                latencies.append(now - committed_at)
                # The producer stamps a record when the relay sends it: the split between the
                # outbox → Kafka leg and the Kafka → effect leg.
                relay_legs.append(record.timestamp / 1000 - committed_at)
            if len(latencies) >= expected:
                done.set()

    consumer = TimedConsumer(
        f"bench-{uuid.uuid4().hex[:6]}", bootstrap=bootstrap, sessions=sessions, handlers={BenchPing: handle}
    )
    task = asyncio.create_task(consumer.run())
    await done.wait()
    task.cancel()
    await asyncio.to_thread(results.write_text, json.dumps({"total": latencies, "relay": relay_legs}))


# --- the driver -----------------------------------------------------------------------------


def spawn(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, __file__, *args], env=env, cwd=ROOT)


async def scratch_database(stack: dict[str, Any]) -> tuple[str, str]:
    pg = stack["postgres"]
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(
        host=pg["host"], port=pg["port"], user=pg["user"], password=pg["password"], database="postgres"
    )
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = pg["url_template"].format(db=name)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    for statement in MESSAGING_DDL:
        await connection.execute(statement)
    await connection.execute("CREATE TABLE effects (event_id uuid PRIMARY KEY)")
    await connection.close()
    return url, dsn


def encode(topic: str) -> tuple[uuid.UUID, str, bytes, str]:
    BenchPing.topic = topic
    envelope = Envelope.wrap(
        BenchPing(key=uuid.uuid4().hex, committed_at=clock.now().timestamp()), source="bench"
    )
    return (
        envelope.id,
        envelope.subject,
        envelope.model_dump_json().encode(),
        json.dumps(event_headers(envelope)),
    )


async def offered_load(dsn: str, topic: str, rate: int, seconds: float) -> int:
    """Commit one event per transaction at `rate` per second (16 writers, paced by a schedule)."""
    pool = await asyncpg.create_pool(dsn, min_size=16, max_size=16)
    total = int(rate * seconds)
    start = time.monotonic()
    counter = iter(range(total))

    async def writer() -> None:
        async with pool.acquire() as connection:
            for index in counter:
                delay = start + index / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                event_id, key, value, headers = encode(topic)
                await connection.execute(
                    "INSERT INTO outbox (event_id, topic, key, value, headers) VALUES ($1, $2, $3, $4, $5::jsonb)",
                    event_id, topic, key, value, headers,
                )  # fmt: skip

    await asyncio.gather(*(writer() for _ in range(16)))
    await pool.close()
    return total


async def latency_run(stack: dict[str, Any], rate: int, seconds: float) -> dict[str, float]:
    url, dsn = await scratch_database(stack)
    bootstrap = stack["kafka"]["bootstrap"]
    topic = f"bench.ping.{uuid.uuid4().hex[:6]}"
    await ensure_topics(bootstrap, (topic, dlq_topic(topic)))
    results = Path(tempfile.mkdtemp()) / "latencies.json"
    total = int(rate * seconds)
    relay = spawn("--role", "relay", "--dsn", dsn, "--bootstrap", bootstrap)
    consumer = spawn(
        "--role",
        "consumer",
        "--url",
        url,
        "--bootstrap",
        bootstrap,
        "--topic",
        topic,
        "--results",
        str(results),
        "--expected",
        str(total),
    )
    try:
        await asyncio.sleep(3)  # let the consumer join its group before the clock starts
        began = time.monotonic()
        await offered_load(dsn, topic, rate, seconds)
        offered_for = time.monotonic() - began
        await asyncio.to_thread(consumer.wait, timeout=seconds * 4 + 60)
        measured = json.loads(await asyncio.to_thread(results.read_text))
        latencies = [x * 1000 for x in measured["total"]]
        relay_legs = [x * 1000 for x in measured["relay"]]
    finally:
        for process in (relay, consumer):
            process.kill()
    return {
        "rate": rate,
        "events": len(latencies),
        "achieved_rate": total / offered_for,
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "mean_ms": statistics.fmean(latencies),
        "relay_p50_ms": percentile(relay_legs, 0.50),
        "relay_p99_ms": percentile(relay_legs, 0.99),
    }


async def relay_throughput(stack: dict[str, Any], count: int) -> dict[str, float]:
    """Pre-fill the outbox with `count` rows, then time the relay draining it; baseline: the same
    messages produced directly by one idempotent aiokafka producer."""
    _, dsn = await scratch_database(stack)
    bootstrap = stack["kafka"]["bootstrap"]
    topic = f"bench.ping.{uuid.uuid4().hex[:6]}"
    await ensure_topics(bootstrap, (topic,))
    rows = [encode(topic) for _ in range(count)]
    connection = await asyncpg.connect(dsn)
    await connection.copy_records_to_table(
        "outbox", records=[(r[0], topic, r[1], r[2], r[3]) for r in rows],
        columns=["event_id", "topic", "key", "value", "headers"],
    )  # fmt: skip
    relay = spawn("--role", "relay", "--dsn", dsn, "--bootstrap", bootstrap)
    began = time.monotonic()
    while await connection.fetchval("SELECT count(*) FROM outbox") > 0:  # noqa: ASYNC110 - polling a table
        await asyncio.sleep(0.05)
    relay_seconds = time.monotonic() - began
    relay.kill()
    await connection.close()

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=2)
    await producer.start()
    began = time.monotonic()
    for batch_start in range(0, count, 1000):
        futures = [
            await producer.send(topic, r[2], key=r[1].encode())
            for r in rows[batch_start : batch_start + 1000]
        ]
        await asyncio.gather(*futures)
    direct_seconds = time.monotonic() - began
    await producer.stop()
    return {
        "events": count,
        "relay_per_s": count / relay_seconds,
        "direct_per_s": count / direct_seconds,
        "ratio": (count / relay_seconds) / (count / direct_seconds),
    }


async def main_driver(args: argparse.Namespace) -> None:
    stack = json.loads((Path(args.state) / "stack.json").read_text())
    print(f"relay throughput ({args.relay_events} events pre-filled)…", flush=True)
    result = await relay_throughput(stack, args.relay_events)
    print(
        f"  relay {result['relay_per_s']:.0f} events/s, direct producer {result['direct_per_s']:.0f} events/s, "
        f"ratio {result['ratio']:.2f}",
        flush=True,
    )
    for rate in args.rates:
        print(f"latency at {rate} events/s for {args.seconds:.0f}s…", flush=True)
        r = await latency_run(stack, rate, args.seconds)
        print(
            f"  {r['events']} events, offered {r['achieved_rate']:.0f}/s: p50 {r['p50_ms']:.1f} ms, "
            f"p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms; "
            f"of which outbox → Kafka: p50 {r['relay_p50_ms']:.1f} ms, p99 {r['relay_p99_ms']:.1f} ms",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", default=str(ROOT / ".run"), help="the stack's state dir (default .run)")
    parser.add_argument("--rates", default="200,1000", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--seconds", default=30.0, type=float)
    parser.add_argument("--relay-events", default=50_000, type=int)
    parser.add_argument("--role", choices=["relay", "consumer"], help=argparse.SUPPRESS)
    parser.add_argument("--dsn", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--bootstrap", help=argparse.SUPPRESS)
    parser.add_argument("--topic", help=argparse.SUPPRESS)
    parser.add_argument("--results", help=argparse.SUPPRESS)
    parser.add_argument("--expected", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "relay":
        asyncio.run(run_relay(args.dsn, args.bootstrap))
    elif args.role == "consumer":
        asyncio.run(run_consumer(args.url, args.bootstrap, args.topic, Path(args.results), args.expected))
    else:
        asyncio.run(main_driver(args))


if __name__ == "__main__":
    main()
