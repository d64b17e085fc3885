"""Does a slow partition hold back another partition's records? The consumer's partition tasks
alone (shared.partition_workers on a real Kafka, no database), so nothing else is measured.

Partition 0's batches take 80 ms to apply (a large transaction), partition 1's take none; 200
events/s go to each for 10 s. Printed: partition 1's latency, the producer's timestamp → the
record in its task's hands. Partitions that go side by side keep it at a few milliseconds.

    python bench/partition_coupling.py --state .run [--workers PATH]   # PATH: another version's module

It prints numbers; it asserts nothing.
"""

import argparse
import asyncio
import importlib.util
import json
import sys
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared import clock  # noqa: E402
from shared.topics import ensure_topics  # noqa: E402

SLOW_APPLY_SECONDS = 0.08
RATE_PER_PARTITION = 200
EVENTS = 4000


def workers_class(path: Path) -> type:
    spec = importlib.util.spec_from_file_location("measured_partition_workers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PartitionWorkers  # type: ignore[no-any-return]


async def measure(bootstrap: str, workers_path: Path) -> list[float]:
    topic = f"bench.coupling.{uuid.uuid4().hex[:6]}"
    await ensure_topics(bootstrap, (topic,))
    latencies: list[float] = []

    async def apply(records: list[ConsumerRecord]) -> None:
        if records[0].partition == 0:
            await asyncio.sleep(SLOW_APPLY_SECONDS)
        else:
            now = clock.now().timestamp()
            latencies.extend(now - record.timestamp / 1000 for record in records)

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"bench-coupling-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="latest",
    )
    workers = workers_class(workers_path)(consumer, apply, name="coupling", max_batch=500)
    consumer.subscribe([topic], listener=workers)
    await consumer.start()
    committer = asyncio.create_task(workers.run())
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    await producer.start()
    try:
        deadline = time.monotonic() + 60
        while len(consumer.assignment()) < 2:
            if time.monotonic() > deadline:
                raise TimeoutError("no partitions assigned within 60 s")
            await asyncio.sleep(0.1)
        for tp in consumer.assignment():  # positions known: nothing produced from now on is skipped
            await consumer.position(tp)
        start = time.monotonic()
        for index in range(EVENTS):
            delay = start + index / (2 * RATE_PER_PARTITION) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await producer.send(topic, b"x" * 300, partition=index % 2)
        await producer.flush()
        deadline = time.monotonic() + 30
        while len(latencies) < EVENTS // 2 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    finally:
        committer.cancel()
        await asyncio.gather(committer, return_exceptions=True)
        await workers.stop_all()
        await producer.stop()
        await consumer.stop()
    return sorted(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", default=str(ROOT / ".run"), help="the stack's state dir (default .run)")
    parser.add_argument("--workers", default=str(ROOT / "shared" / "partition_workers.py"), type=Path)
    args = parser.parse_args()
    bootstrap = json.loads((Path(args.state) / "stack.json").read_text())["kafka"]["bootstrap"]
    latencies = asyncio.run(measure(bootstrap, args.workers))
    ms = [value * 1000 for value in latencies]
    print(
        f"partition 1 beside a partition applying {SLOW_APPLY_SECONDS * 1000:.0f} ms batches "
        f"({args.workers}): {len(ms)} records, p50 {ms[len(ms) // 2]:.1f} ms, "
        f"p99 {ms[int(len(ms) * 0.99)]:.1f} ms, max {ms[-1]:.1f} ms; "
        f"load average {Path('/proc/loadavg').read_text().split()[0]}",
        flush=True,
    )


if __name__ == "__main__":
    main()
