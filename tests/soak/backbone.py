"""What the soak reads back from Kafka and the services' databases: topic offsets, the events
written during the run, consumer lag and which consumer handles which event type."""

import json
from collections.abc import Iterable
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from shared.events import RawEnvelope
from shared.topics import ALL_TOPICS, PARTITIONS, dlq_topic

Offsets = dict[TopicPartition, int]
DLQ_TOPICS = frozenset(t for t in ALL_TOPICS if t.endswith(".dlq"))


def consumed_types() -> dict[str, frozenset[str]]:
    """Each consuming service's event types: the handler maps the services run with."""
    from services.cases.handlers import HANDLERS as cases
    from services.downloads.handlers import HANDLERS as downloads
    from services.licensing.handlers import HANDLERS as licensing
    from services.notifier.config import Settings
    from services.notifier.handlers import build_handlers

    maps: dict[str, Iterable[Any]] = {
        "licensing": licensing,
        "downloads": downloads,
        "cases": cases,
        "notifier": build_handlers(Settings()),
    }
    return {name: frozenset(cls.type for cls in handlers) for name, handlers in maps.items()}


def partitions(topics: Iterable[str]) -> list[TopicPartition]:
    return [TopicPartition(t, p) for t in topics for p in range(PARTITIONS)]


async def end_offsets(bootstrap: str, topics: Iterable[str] = ALL_TOPICS) -> Offsets:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(partitions(topics)))
    finally:
        await consumer.stop()


async def records_between(bootstrap: str, start: Offsets, end: Offsets) -> list[tuple[str, bytes]]:
    """(topic, value) of every record from `start` up to `end`, partition by partition."""
    wanted = [tp for tp in end if end[tp] > start.get(tp, 0)]
    if not wanted:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    found: list[tuple[str, bytes]] = []
    try:
        consumer.assign(wanted)
        for tp in wanted:
            consumer.seek(tp, start.get(tp, 0))
        remaining = set(wanted)
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=2000)
            for tp, records in batches.items():
                found.extend((tp.topic, r.value or b"") for r in records if r.offset < end[tp])
                if records and records[-1].offset + 1 >= end[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return found


def envelopes(records: Iterable[tuple[str, bytes]]) -> dict[str, RawEnvelope]:
    """Events by id (a relay may publish one twice: the id makes it one event)."""
    found: dict[str, RawEnvelope] = {}
    for topic, value in records:
        if topic in DLQ_TOPICS:
            continue
        try:
            envelope = RawEnvelope.model_validate_json(value)
        except ValidationError:
            continue  # the DLQ check reports poison messages
        found[str(envelope.id)] = envelope
    return found


async def consumer_lag(bootstrap: str, groups: dict[str, frozenset[str]]) -> dict[str, int]:
    """Messages each consumer group has not committed yet, over the topics it reads."""
    from shared.events import EVENT_TYPES

    ends = await end_offsets(bootstrap)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        lag: dict[str, int] = {}
        for group, types in groups.items():
            topics = {EVENT_TYPES[t].topic for t in types}
            committed = await admin.list_consumer_group_offsets(group)
            lag[group] = sum(
                max(0, end - (committed[tp].offset if tp in committed else 0))
                for tp, end in ends.items()
                if tp.topic in topics
            )
        return lag
    finally:
        await admin.close()


def dead_letter_topics() -> list[str]:
    return sorted(DLQ_TOPICS)


def describe(value: bytes) -> str:
    try:
        return json.dumps(json.loads(value))[:300]
    except ValueError:
        return repr(value[:300])


async def fetch(dsn: str, query: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


__all__ = ["consumed_types", "dlq_topic", "end_offsets", "envelopes", "fetch", "records_between"]
