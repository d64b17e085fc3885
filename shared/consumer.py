"""Event consumers: idempotent inbox, bounded retries, dead-letter topic.

For every message: parse the envelope, find the handler for its type (other types on the topic
are someone else's and are skipped), then in ONE database transaction record
`(consumer, event_id)` in the inbox and run the handler. A redelivered event finds its inbox row
and does nothing. The Kafka offset is committed only after the database commit.

Each assigned partition has its own task (shared.partition_workers), so partitions do not wait
for one another, and offsets are committed beside them, after the database commit. Under load a
partition's batch is applied in one transaction (one inbox insert, one commit); if anything in
it fails, the batch is rolled back and its records go one by one.

A message that cannot be parsed, or whose handler keeps failing after `max_attempts`, is written
to the outbox addressed to `<topic>.dlq` with the error in its headers (the relay publishes it),
and the consumer goes on with the next. A lost database connection is not the message's fault:
it is retried until the database is back, never dead-lettered.
"""

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from pydantic import ValidationError
from sqlalchemy import Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import transaction
from shared.events import EVENT_TYPES, Envelope, Event, RawEnvelope
from shared.kafka_security import PLAINTEXT, KafkaSecurity
from shared.logging import bind_trace, get_logger
from shared.metrics import CONSUMED, DEAD_LETTERED
from shared.outbox import INBOX, add_raw
from shared.partition_workers import COMMIT_INTERVAL_SECONDS, PartitionWorkers
from shared.topics import dlq_topic

log = get_logger(__name__)

# Records applied in one transaction at most (a partition's backlog goes in several).
MAX_BATCH = 500

# A batch's inbox rows in one statement of a fixed shape (one array parameter): compiled once and
# prepared once per connection, where a multi-row VALUES would be compiled again for every size.
_RECORD_MANY = (
    insert(INBOX)
    .from_select(
        ["consumer", "event_id"],
        select(
            bindparam("consumer", type_=Text()),
            func.unnest(bindparam("event_ids", type_=ARRAY(UUID(as_uuid=True)))),
        ),
    )
    .on_conflict_do_nothing()
    .returning(INBOX.c.event_id)
)

Handler = Callable[[AsyncSession, Envelope[Any]], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, list[Envelope[Any]]], Awaitable[None]]


@dataclass(frozen=True)
class SetWise:
    """A handler that applies several events of its type at once, in order (one statement for
    all of them instead of a round trip each): `handlers={Event: SetWise(apply_many)}`. It is
    given the consecutive events of a batch that are new to the inbox, or one event on the slow
    path; like any handler it runs in the transaction that records them in the inbox."""

    apply: BatchHandler


Handlers = Mapping[type[Event], Handler | SetWise]

T = TypeVar("T")


def newest_per_key(
    items: Iterable[T], key: Callable[[T], Hashable], as_of: Callable[[T], datetime]
) -> list[T]:
    """What a run of last-writer-wins writes leaves of each key, applied one at a time in order:
    its newest item, the later one of two with the same time. A set-wise upsert needs one row per
    key (an `ON CONFLICT DO UPDATE` may touch a row only once per statement)."""
    newest: dict[Hashable, T] = {}
    for item in items:
        seen = newest.get(key(item))
        if seen is None or as_of(seen) <= as_of(item):
            newest[key(item)] = item
    return list(newest.values())


class PoisonMessage(Exception):
    """The message itself is wrong: retrying cannot help."""


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, OSError | ConnectionError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


class EventConsumer:
    def __init__(
        self,
        name: str,
        *,
        bootstrap: str,
        sessions: async_sessionmaker[AsyncSession],
        handlers: Handlers,
        max_attempts: int = 5,
        retry_base_seconds: float = 0.2,
        security: KafkaSecurity = PLAINTEXT,
        commit_interval: float = COMMIT_INTERVAL_SECONDS,
    ) -> None:
        self.name = name
        self.bootstrap = bootstrap
        self.security = security
        self.sessions = sessions
        self.handlers = {cls.type: (cls, handler) for cls, handler in handlers.items()}
        self.topics = sorted({cls.topic for cls in handlers})
        self.max_attempts = max_attempts
        self.retry_base_seconds = retry_base_seconds
        self.commit_interval = commit_interval

    async def run(self) -> None:
        backoff = 0.5
        while True:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap,
                **self.security.client_options(),
                group_id=self.name,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_records=MAX_BATCH,
            )
            partitions = PartitionWorkers(
                consumer,
                self._handle_in_order,
                name=self.name,
                max_batch=MAX_BATCH,
                commit_interval=self.commit_interval,
            )
            consumer.subscribe(self.topics, listener=partitions)
            stopping = False
            try:
                await consumer.start()
                backoff = 0.5
                await partitions.run()
            except asyncio.CancelledError:
                stopping = True
                raise
            except Exception as error:
                log.warning(
                    "consumer failed, restarting", consumer=self.name, error=repr(error), retry_in=backoff
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                await partitions.stop_all(commit_applied=stopping)
                try:
                    await asyncio.wait_for(consumer.stop(), timeout=5)
                except Exception as error:
                    log.info("consumer stop failed", error=repr(error))

    async def _handle_in_order(self, records: list[ConsumerRecord]) -> None:
        """One partition's records, in order: all in one transaction when they all go through,
        else one by one with retries and dead letters (the batch's transaction rolled back, so
        nothing of it was applied)."""
        if len(records) > 1:
            try:
                if await self._handle_batch(records):
                    return
            except Exception as error:
                log.info(
                    "batch failed, handling its records one by one", consumer=self.name, error=repr(error)
                )
        for record in records:
            await self.handle(record)

    async def _handle_batch(self, records: list[ConsumerRecord]) -> bool:
        """The fast path under load: one inbox insert and one commit for a whole batch.

        Returns False (nothing done) when a record is poison, so the slow path can dead-letter it.
        """
        parsed = []
        for record in records:
            try:
                item = self._parse(record)
            except PoisonMessage:
                return False
            if item is not None:
                parsed.append(item)
        if not parsed:
            return True
        async with transaction(self.sessions) as session:
            recorded = await session.exec(
                _RECORD_MANY, params={"consumer": self.name, "event_ids": [e.id for e, _ in parsed]}
            )
            fresh = set(recorded.scalars().all())
            new = []
            for envelope, handler in parsed:
                if envelope.id in fresh:
                    fresh.discard(envelope.id)  # the same event twice in one batch: once
                    new.append((envelope, handler))
            # Runs of consecutive events with the same handler: a set-wise one takes a run at once.
            for handler, run in itertools.groupby(new, key=lambda item: item[1]):
                envelopes = [envelope for envelope, _ in run]
                if isinstance(handler, SetWise):
                    bind_trace(envelopes[-1].traceparent)
                    await handler.apply(session, envelopes)
                else:
                    for envelope in envelopes:
                        bind_trace(envelope.traceparent)
                        await handler(session, envelope)
                for envelope in envelopes:
                    CONSUMED.labels(self.name, envelope.type).inc()
        return True

    async def handle(self, record: ConsumerRecord) -> None:
        try:
            parsed = self._parse(record)
        except PoisonMessage as error:
            await self._dead_letter(record, str(error))
            return
        if parsed is None:
            return  # an event type this consumer does not handle
        envelope, handler = parsed
        bind_trace(envelope.traceparent)
        attempt = 0
        while True:
            attempt += 1
            try:
                async with transaction(self.sessions) as session:
                    recorded = await session.exec(
                        insert(INBOX)
                        .values(consumer=self.name, event_id=envelope.id)
                        .on_conflict_do_nothing()
                        .returning(INBOX.c.event_id)
                    )
                    if recorded.first() is None:
                        log.info("duplicate event ignored", consumer=self.name, event_id=str(envelope.id))
                        return
                    if isinstance(handler, SetWise):
                        await handler.apply(session, [envelope])
                    else:
                        await handler(session, envelope)
                CONSUMED.labels(self.name, envelope.type).inc()
                return
            except Exception as error:
                transient = _is_transient(error)
                if not transient and attempt >= self.max_attempts:
                    await self._dead_letter(record, f"{type(error).__name__}: {error}")
                    return
                delay = min(self.retry_base_seconds * 2 ** min(attempt - 1, 6), 10.0)
                log.warning(
                    "handler failed, retrying",
                    consumer=self.name,
                    event_type=envelope.type,
                    attempt=attempt,
                    transient=transient,
                    error=repr(error),
                )
                await asyncio.sleep(delay)

    def _parse(self, record: ConsumerRecord) -> tuple[Envelope[Any], Handler | SetWise] | None:
        try:
            raw = RawEnvelope.model_validate_json(record.value or b"")
        except ValidationError as error:
            raise PoisonMessage(f"not an event envelope: {error.errors()[0]['msg']}") from error
        known = self.handlers.get(raw.type)
        if known is None:
            if raw.type not in EVENT_TYPES:
                log.info("unknown event type skipped", consumer=self.name, event_type=raw.type)
            return None
        cls, handler = known
        try:
            data = cls.model_validate(raw.data)
        except ValidationError as error:
            raise PoisonMessage(f"invalid {raw.type}: {error.errors()[0]['msg']}") from error
        envelope: Envelope[Any] = Envelope(**raw.model_dump(exclude={"data"}), data=data)
        return envelope, handler

    async def _dead_letter(self, record: ConsumerRecord, error: str) -> None:
        headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
        headers.update(
            {
                "dlq_error": error[:2000],
                "dlq_consumer": self.name,
                "dlq_topic": record.topic,
                "dlq_partition": str(record.partition),
                "dlq_offset": str(record.offset),
            }
        )
        key = (record.key or b"").decode(errors="replace")
        event_id = _dead_letter_id(self.name, record)
        while True:
            try:
                async with transaction(self.sessions) as session:
                    await add_raw(
                        session,
                        event_id=event_id,
                        topic=dlq_topic(record.topic),
                        key=key,
                        value=record.value or b"",
                        headers=headers,
                    )
                break
            except Exception as db_error:
                log.warning("cannot write dead letter yet", error=repr(db_error))
                await asyncio.sleep(1.0)
        DEAD_LETTERED.labels(self.name, record.topic).inc()
        log.error(
            "message dead-lettered", consumer=self.name, topic=record.topic, offset=record.offset, error=error
        )


def _dead_letter_id(consumer: str, record: ConsumerRecord) -> uuid.UUID:
    """Stable per (consumer, topic, partition, offset): the same poison message → one dead letter."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"dlq:{consumer}:{record.topic}:{record.partition}:{record.offset}")
