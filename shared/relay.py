"""The outbox relay: the only code path that publishes service events to Kafka.

It claims committed outbox rows with `FOR UPDATE SKIP LOCKED` (several replicas can run) and
deletes them in the same statement, sends them with an idempotent producer (acks=all), and
commits the deletion only once Kafka acknowledged: a failed send rolls it back. Woken by
LISTEN/NOTIFY; a slow poll covers a missed notification.
If Kafka is down the rows simply stay: the relay backs off and retries, nothing is lost, and
consumers' inboxes make a rare re-send harmless.
"""

import asyncio
import contextlib
import json
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge

from shared.kafka_security import PLAINTEXT, KafkaSecurity
from shared.logging import get_logger
from shared.outbox import NOTIFY_CHANNEL

log = get_logger(__name__)

PUBLISHED = Counter("outbox_published_total", "Events published from the outbox", ["service"])
FAILURES = Counter(
    "outbox_relay_failures_total", "Relay batches that failed and will be retried", ["service"]
)
PENDING = Gauge("outbox_pending", "Outbox rows claimed in the last batch", ["service"])

# Claim and delete in one round trip: the deletion stays uncommitted (the rows locked, other
# relays skip them) until Kafka has acknowledged every row, and rolls back if it does not.
# RETURNING does not keep the subquery's order: the rows are put back in `seq` order to send.
_CLAIM = """
DELETE FROM outbox WHERE seq IN (
    SELECT seq FROM outbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
) RETURNING seq, topic, key, value, headers
"""


def make_producer(bootstrap: str, **overrides: Any) -> AIOKafkaProducer:
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "enable_idempotence": True,  # implies acks="all"
        "acks": "all",
        "linger_ms": 2,
        "request_timeout_ms": 10_000,
        "retry_backoff_ms": 200,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


class OutboxRelay:
    def __init__(
        self,
        service: str,
        dsn: str,
        bootstrap: str,
        *,
        batch_size: int = 1000,
        security: KafkaSecurity = PLAINTEXT,
    ) -> None:
        self.service = service
        self.dsn = dsn
        self.bootstrap = bootstrap
        self.security = security
        self.batch_size = batch_size
        self._wake = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None
        self.kafka_ok = False

    async def run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self._run_connected()
            except asyncio.CancelledError:
                await self._close_producer()
                raise
            except Exception as error:  # the relay must outlive any outage
                FAILURES.labels(self.service).inc()
                self.kafka_ok = False
                log.warning("outbox relay failed, retrying", error=repr(error), retry_in=backoff)
                await self._close_producer()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            else:
                backoff = 0.2

    async def _run_connected(self) -> None:
        listener = await asyncpg.connect(self.dsn)
        worker = await asyncpg.connect(self.dsn)
        try:
            await listener.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
            while True:
                self._wake.clear()
                sent = await self.publish_batch(worker)
                if sent < self.batch_size:
                    # Rows committed between our SELECT and the LISTEN would be missed without
                    # the timeout; one cheap query a second is the price of never stalling.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=1.0)
        finally:
            await asyncio.gather(listener.close(), worker.close(), return_exceptions=True)

    async def publish_batch(self, connection: asyncpg.Connection) -> int:
        async with connection.transaction():
            rows = sorted(await connection.fetch(_CLAIM, self.batch_size), key=lambda row: row["seq"])
            PENDING.labels(self.service).set(len(rows))
            if not rows:
                return 0
            producer = await self._ensure_producer()
            futures = [
                await producer.send(
                    row["topic"],
                    value=bytes(row["value"]),
                    key=row["key"].encode(),
                    headers=[(k, v.encode()) for k, v in json.loads(row["headers"]).items()],
                )
                for row in rows
            ]
            await asyncio.gather(*futures)  # acknowledged: the deletion may commit
        PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = make_producer(self.bootstrap, **self.security.client_options())
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
            self.kafka_ok = True
        return self._producer

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), timeout=5)
            except Exception as error:
                log.info("producer stop failed", error=repr(error))
