"""Signed out means out everywhere: a deny-list of ended sessions in every service.

Identity publishes `SessionsRevoked` whenever sessions end. Every service follows that topic
with a plain Kafka consumer of its own, without a consumer group, because every replica needs
every revocation (a group would split them between replicas). Access tokens live at most
`lookback_seconds`, so only revocations that recent matter: on start the watcher reads the topic
from that far back, then follows it; entries older than that are dropped, since the tokens they
deny have expired anyway.

While Kafka is unreachable the list can only grow stale, never wrong: a token revoked during the
outage keeps working until it expires, which is the short access-token lifetime (the fallback).
"""

import asyncio
import time
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError

from shared import clock
from shared.events import RawEnvelope, SessionsRevoked
from shared.kafka_security import PLAINTEXT, KafkaSecurity
from shared.logging import get_logger

log = get_logger(__name__)


class RevokedSessions:
    def __init__(
        self, bootstrap: str, *, lookback_seconds: float, security: KafkaSecurity = PLAINTEXT
    ) -> None:
        self.bootstrap = bootstrap
        self.security = security
        self.lookback_seconds = lookback_seconds
        self._expires: dict[UUID, float] = {}  # session id -> monotonic time it stops mattering
        self.caught_up = asyncio.Event()  # set once the backlog at start has been read

    def is_revoked(self, session_id: str | UUID | None) -> bool:
        if session_id is None:
            return False
        try:
            key = session_id if isinstance(session_id, UUID) else UUID(session_id)
        except ValueError:
            return False
        expires = self._expires.get(key)
        return expires is not None and expires > time.monotonic()

    def add(self, event: SessionsRevoked, *, age_seconds: float = 0.0) -> None:
        until = time.monotonic() + max(0.0, self.lookback_seconds - age_seconds)
        for session_id in event.session_ids:
            self._expires[session_id] = until

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for session_id in [s for s, until in self._expires.items() if until <= now]:
            del self._expires[session_id]

    async def run(self) -> None:
        """Follow the topic for the life of the service, reconnecting after Kafka outages."""
        delay = 0.5
        while True:
            try:
                await self._follow()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("revocations: cannot follow the topic yet", error=repr(error), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _follow(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            **self.security.client_options(),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
        )
        await consumer.start()
        try:
            # Without a group nothing asks for the topic's metadata: ask for it (aiokafka has no
            # public call for this), or partitions_for_topic stays None.
            await consumer._client.add_topic(SessionsRevoked.topic)
            partitions = consumer.partitions_for_topic(SessionsRevoked.topic)
            if not partitions:
                raise RuntimeError(f"topic {SessionsRevoked.topic} has no partitions yet")
            assigned = [TopicPartition(SessionsRevoked.topic, p) for p in sorted(partitions)]
            consumer.assign(assigned)
            since_ms = int((clock.timestamp() - self.lookback_seconds) * 1000)
            starts = await consumer.offsets_for_times({tp: since_ms for tp in assigned})
            ends = await consumer.end_offsets(assigned)
            for tp in assigned:
                found = starts.get(tp)
                consumer.seek(tp, found.offset if found is not None else ends[tp])
            backlog = dict(ends)
            await self._mark_caught_up_if(consumer, backlog)
            while True:
                batches = await consumer.getmany(timeout_ms=1000, max_records=500)
                for records in batches.values():
                    for record in records:
                        self._apply(record.value, record.timestamp)
                await self._mark_caught_up_if(consumer, backlog)
                self._forget_expired()
        finally:
            await consumer.stop()

    async def _mark_caught_up_if(
        self, consumer: AIOKafkaConsumer, backlog: dict[TopicPartition, int]
    ) -> None:
        if self.caught_up.is_set():
            return
        if all([await consumer.position(tp) >= end for tp, end in backlog.items()]):
            self.caught_up.set()

    def _apply(self, value: bytes | None, timestamp_ms: int) -> None:
        try:
            raw = RawEnvelope.model_validate_json(value or b"")
            if raw.type != SessionsRevoked.type:
                return
            event = SessionsRevoked.model_validate(raw.data)
        except ValidationError:
            return  # not ours to judge: the inbox consumers dead-letter malformed messages
        self.add(event, age_seconds=max(0.0, clock.timestamp() - timestamp_ms / 1000))
