"""The event backbone on real PostgreSQL and Kafka: outbox → relay → consumer (inbox, DLQ).

Each test uses its own topic and consumer group, and a scratch database with the messaging
tables built from the same DDL the services' migrations run.
"""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import Text, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.consumer import EventConsumer, SetWise
from shared.db import make_engine, make_sessionmaker, transaction
from shared.dlq_cli import read_dead_letters, replay
from shared.events import Envelope, Event
from shared.migrations import MESSAGING_DDL
from shared.outbox import add_event
from shared.relay import OutboxRelay
from shared.topics import PARTITIONS, dlq_topic, ensure_topics
from tests.kit import driver_dsn, empty_database, eventually


def make_event_class(topic: str) -> type[Event]:
    class Pinged(Event):
        subject_field = "thing_id"
        thing_id: uuid.UUID
        note: str

    Pinged.topic = topic
    Pinged.type = f"test.Pinged.{topic}.v1"
    return Pinged


@pytest.fixture
async def scratch(stack: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """A fresh database with outbox/inbox and an `effects` table, plus a fresh topic."""
    async with empty_database(stack, "kernel") as url:
        connection = await asyncpg.connect(driver_dsn(url))
        for statement in MESSAGING_DDL:
            await connection.execute(statement)
        await connection.execute("CREATE TABLE effects (event_id uuid, note text)")
        topic = f"kernel.test.{uuid.uuid4().hex[:8]}"
        await ensure_topics(stack["kafka"]["bootstrap"], (topic, dlq_topic(topic)))
        engine = make_engine(url, pool_size=5)
        tasks: list[asyncio.Task[None]] = []
        try:
            yield {
                "db": connection,
                "url": url,
                "dsn": driver_dsn(url),
                "sessions": make_sessionmaker(engine),
                "topic": topic,
                "event": make_event_class(topic),
                "bootstrap": stack["kafka"]["bootstrap"],
                "tasks": tasks,
            }
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await engine.dispose()
            await connection.close()


def start(scratch: dict[str, Any], coroutine) -> None:
    scratch["tasks"].append(asyncio.create_task(coroutine))


def start_relay(scratch: dict[str, Any]) -> OutboxRelay:
    relay = OutboxRelay("kernel-test", scratch["dsn"], scratch["bootstrap"])
    start(scratch, relay.run())
    return relay


def start_consumer(scratch: dict[str, Any], *, fail_times: int = 0) -> dict[str, int]:
    calls = {"count": 0}

    async def record_effect(session: AsyncSession, envelope: Envelope[Any]) -> None:
        calls["count"] += 1
        if calls["count"] <= fail_times:
            raise RuntimeError("handler failure on purpose")
        await session.exec(
            text("INSERT INTO effects (event_id, note) VALUES (:id, :note)"),
            params={"id": envelope.id, "note": envelope.data.note},
        )

    consumer = EventConsumer(
        f"kernel-test-{uuid.uuid4().hex[:6]}",
        bootstrap=scratch["bootstrap"],
        sessions=scratch["sessions"],
        handlers={scratch["event"]: record_effect},
        max_attempts=3,
        retry_base_seconds=0.01,
    )
    start(scratch, consumer.run())
    return calls


async def publish_raw(bootstrap: str, topic: str, value: bytes, key: bytes = b"k") -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def effects(scratch: dict[str, Any]) -> list[asyncpg.Record]:
    return await scratch["db"].fetch("SELECT event_id, note FROM effects ORDER BY note")


async def test_outbox_row_commits_with_state_and_reaches_the_consumer_once(scratch):
    start_consumer(scratch)
    start_relay(scratch)
    event_cls = scratch["event"]
    async with transaction(scratch["sessions"]) as session:
        envelope = await add_event(session, event_cls(thing_id=uuid.uuid4(), note="hello"), source="test")

    rows = await eventually(lambda: effects(scratch), what="the consumer's effect")
    assert [(r["event_id"], r["note"]) for r in rows] == [(envelope.id, "hello")]
    await eventually(
        lambda: _when(scratch["db"].fetchval("SELECT count(*) = 0 FROM outbox"), bool),
        what="the outbox drained",
    )


async def test_rolled_back_transaction_publishes_nothing(scratch):
    start_consumer(scratch)
    start_relay(scratch)
    event_cls = scratch["event"]
    with contextlib.suppress(RuntimeError):
        async with transaction(scratch["sessions"]) as session:
            await add_event(session, event_cls(thing_id=uuid.uuid4(), note="ghost"), source="test")
            raise RuntimeError("the use case failed after writing its event")
    async with transaction(scratch["sessions"]) as session:
        await add_event(session, event_cls(thing_id=uuid.uuid4(), note="real"), source="test")

    rows = await eventually(lambda: effects(scratch), what="the committed event")
    assert [r["note"] for r in rows] == ["real"]


async def test_same_event_delivered_twice_has_one_effect(scratch):
    calls = start_consumer(scratch)
    event_cls = scratch["event"]
    envelope = Envelope.wrap(event_cls(thing_id=uuid.uuid4(), note="twice"), source="test")
    payload = envelope.model_dump_json().encode()
    await publish_raw(scratch["bootstrap"], scratch["topic"], payload)
    await publish_raw(scratch["bootstrap"], scratch["topic"], payload)
    sentinel = Envelope.wrap(event_cls(thing_id=uuid.uuid4(), note="z-after"), source="test")
    await publish_raw(scratch["bootstrap"], scratch["topic"], sentinel.model_dump_json().encode())

    rows = await eventually(
        lambda: _when(effects(scratch), lambda r: len(r) >= 2), what="both distinct events handled"
    )
    assert [r["note"] for r in rows] == ["twice", "z-after"]
    assert calls["count"] == 2  # the duplicate never reached the handler


async def test_malformed_message_goes_to_dlq_and_consumer_moves_on(scratch):
    start_consumer(scratch)
    start_relay(scratch)  # dead letters travel through the outbox too
    event_cls = scratch["event"]
    await publish_raw(scratch["bootstrap"], scratch["topic"], b"{not json", key=b"poison")
    good = Envelope.wrap(event_cls(thing_id=uuid.uuid4(), note="after-poison"), source="test")
    await publish_raw(scratch["bootstrap"], scratch["topic"], good.model_dump_json().encode(), key=b"poison")

    rows = await eventually(lambda: effects(scratch), what="the good event after the poison one")
    assert [r["note"] for r in rows] == ["after-poison"]
    letters = await eventually(
        lambda: read_dead_letters(scratch["bootstrap"], [dlq_topic(scratch["topic"])]), what="a dead letter"
    )
    assert len(letters) == 1
    assert letters[0].value == b"{not json"
    assert "not an event envelope" in letters[0].headers["dlq_error"]
    assert letters[0].original_topic == scratch["topic"]


async def test_handler_failing_past_its_retries_is_dead_lettered_then_replayed(scratch):
    calls = start_consumer(scratch, fail_times=3)  # max_attempts=3: the first delivery dies
    start_relay(scratch)
    event_cls = scratch["event"]
    envelope = Envelope.wrap(event_cls(thing_id=uuid.uuid4(), note="flaky"), source="test")
    await publish_raw(scratch["bootstrap"], scratch["topic"], envelope.model_dump_json().encode())

    letters = await eventually(
        lambda: read_dead_letters(scratch["bootstrap"], [dlq_topic(scratch["topic"])]), what="a dead letter"
    )
    assert "handler failure on purpose" in letters[0].headers["dlq_error"]
    assert await effects(scratch) == []

    assert await replay(scratch["bootstrap"], letters) == 1
    rows = await eventually(lambda: effects(scratch), what="the replayed event's effect")
    assert [r["event_id"] for r in rows] == [envelope.id]
    assert calls["count"] == 4


async def _when(awaitable, predicate):
    value = await awaitable
    return value if predicate(value) else None


async def test_kafka_outage_keeps_events_in_the_outbox_until_it_is_back(scratch, stack_control):
    start_consumer(scratch)
    start_relay(scratch)
    event_cls = scratch["event"]
    stack_control.stop("kafka")
    try:
        async with transaction(scratch["sessions"]) as session:  # the write succeeds without Kafka
            envelope = await add_event(
                session, event_cls(thing_id=uuid.uuid4(), note="outage"), source="test"
            )
        assert await scratch["db"].fetchval("SELECT count(*) FROM outbox") == 1
    finally:
        stack_control.start("kafka")

    rows = await eventually(lambda: effects(scratch), timeout=120, what="the event after Kafka came back")
    assert [r["event_id"] for r in rows] == [envelope.id]
    await eventually(  # the relay deletes what Kafka acknowledged, in its own transaction
        lambda: _when(scratch["db"].fetchval("SELECT count(*) = 0 FROM outbox"), bool),
        what="the outbox drained",
    )


async def test_each_partition_is_applied_in_order_while_partitions_go_side_by_side(scratch):
    await scratch["db"].execute("ALTER TABLE effects ADD COLUMN applied bigserial")
    start_consumer(scratch)
    start_relay(scratch)
    event_cls = scratch["event"]
    things = [uuid.uuid4() for _ in range(6)]  # keys spread over the topic's partitions
    async with transaction(scratch["sessions"]) as session:
        for number in range(20):
            for index, thing in enumerate(things):
                await add_event(
                    session, event_cls(thing_id=thing, note=f"{index}-{number:02d}"), source="test"
                )

    rows = await eventually(
        lambda: _when(
            scratch["db"].fetch("SELECT note FROM effects ORDER BY applied"), lambda r: len(r) >= 120
        ),
        timeout=120,
        what="all 120 effects",
    )
    notes = [r["note"] for r in rows]
    assert len(notes) == 120 and len(set(notes)) == 120  # each event once
    for index in range(len(things)):
        per_key = [note for note in notes if note.startswith(f"{index}-")]
        assert per_key == sorted(per_key), f"events of key {index} applied out of order"


async def test_a_set_wise_handler_gets_a_batch_at_once_in_order_each_event_once(scratch):
    await scratch["db"].execute("ALTER TABLE effects ADD COLUMN applied bigserial")
    event_cls = scratch["event"]
    events = [
        Envelope.wrap(event_cls(thing_id=uuid.uuid4(), note=f"{n:02d}"), source="test") for n in range(30)
    ]
    payloads = [envelope.model_dump_json().encode() for envelope in events]
    payloads.insert(10, payloads[3])  # a redelivered event inside the batch
    producer = AIOKafkaProducer(bootstrap_servers=scratch["bootstrap"])
    await producer.start()
    try:  # one key, one partition, all there before the consumer starts: one fetch holds them all
        for payload in payloads:
            await producer.send_and_wait(scratch["topic"], payload, key=b"one-partition")
    finally:
        await producer.stop()
    batches: list[int] = []
    insert_many = text("INSERT INTO effects (event_id, note) SELECT * FROM unnest(:ids, :notes)").bindparams(
        bindparam("ids", type_=ARRAY(UUID(as_uuid=True))), bindparam("notes", type_=ARRAY(Text()))
    )

    async def record_effects(session: AsyncSession, envelopes: list[Envelope[Any]]) -> None:
        batches.append(len(envelopes))
        await session.exec(
            insert_many, params={"ids": [e.id for e in envelopes], "notes": [e.data.note for e in envelopes]}
        )

    consumer = EventConsumer(
        f"kernel-test-{uuid.uuid4().hex[:6]}",
        bootstrap=scratch["bootstrap"],
        sessions=scratch["sessions"],
        handlers={event_cls: SetWise(record_effects)},
    )
    start(scratch, consumer.run())

    rows = await eventually(
        lambda: _when(
            scratch["db"].fetch("SELECT note FROM effects ORDER BY applied"), lambda r: len(r) >= 30
        ),
        what="the 30 effects",
    )
    assert [r["note"] for r in rows] == [f"{n:02d}" for n in range(30)]  # in order, the duplicate once
    assert sum(batches) == 30 and max(batches) > 1  # several events in one call


async def test_a_backlog_beyond_the_queue_bound_is_applied_in_full_and_in_order(scratch):
    # 1,500 records on one partition: one fetch brings more than two batches of 500, so the
    # partition is paused while its task catches up, then resumed.
    await scratch["db"].execute("ALTER TABLE effects ADD COLUMN applied bigserial")
    event_cls = scratch["event"]
    producer = AIOKafkaProducer(bootstrap_servers=scratch["bootstrap"], linger_ms=20)
    await producer.start()
    try:
        sent = [
            await producer.send(
                scratch["topic"],
                Envelope.wrap(event_cls(thing_id=uuid.uuid4(), note=f"{n:04d}"), source="test")
                .model_dump_json()
                .encode(),
                key=b"one-partition",
            )
            for n in range(1500)
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    start_consumer(scratch)

    rows = await eventually(
        lambda: _when(
            scratch["db"].fetch("SELECT note FROM effects ORDER BY applied"), lambda r: len(r) >= 1500
        ),
        timeout=120,
        what="the 1,500 effects",
    )
    assert [r["note"] for r in rows] == [f"{n:04d}" for n in range(1500)]


def _idle_consumer(scratch, *, commit_interval: float) -> tuple[EventConsumer, str]:
    """A consumer in a group of its own whose handler does nothing: only its offsets matter."""
    group = f"kernel-test-{uuid.uuid4().hex[:6]}"
    consumer = EventConsumer(
        group,
        bootstrap=scratch["bootstrap"],
        sessions=scratch["sessions"],
        handlers={scratch["event"]: lambda session, envelope: asyncio.sleep(0)},
        commit_interval=commit_interval,
    )
    return consumer, group


async def _publish_one_at_a_time(scratch, count: int) -> None:
    for n in range(count):
        envelope = Envelope.wrap(scratch["event"](thing_id=uuid.uuid4(), note=f"{n}"), source="test")
        await publish_raw(scratch["bootstrap"], scratch["topic"], envelope.model_dump_json().encode())


@contextlib.asynccontextmanager
async def _topic_offsets(
    scratch,
) -> AsyncIterator[tuple[AIOKafkaAdminClient, list[TopicPartition], dict[TopicPartition, int]]]:
    """An admin client, the test topic's partitions and their end offsets."""
    admin = AIOKafkaAdminClient(bootstrap_servers=scratch["bootstrap"])
    reader = AIOKafkaConsumer(bootstrap_servers=scratch["bootstrap"])
    await admin.start()
    await reader.start()
    try:
        partitions = [TopicPartition(scratch["topic"], p) for p in range(PARTITIONS)]
        yield admin, partitions, await reader.end_offsets(partitions)
    finally:
        await reader.stop()
        await admin.close()


async def test_the_last_batch_is_committed_to_kafka_once_the_events_stop(scratch):
    # Offsets are committed at most once per interval, not after every batch: what the partitions
    # finished during the interval goes in the next commit, the last batch's included.
    consumer, group = _idle_consumer(scratch, commit_interval=0.5)
    start(scratch, consumer.run())
    await _publish_one_at_a_time(scratch, 12)  # batches of one, several per interval
    async with _topic_offsets(scratch) as (admin, partitions, ends):
        assert sum(ends.values()) == 12

        async def committed_to_the_end() -> bool:
            committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
            return all(
                ends[tp] == 0 or (tp in committed and committed[tp].offset == ends[tp]) for tp in partitions
            )

        await eventually(committed_to_the_end, timeout=60, what="every offset committed")


async def test_a_consumer_stopped_cleanly_commits_what_it_applied(scratch):
    # A commit interval longer than the test: only the stop itself can commit the offsets.
    consumer, group = _idle_consumer(scratch, commit_interval=600)
    running = asyncio.create_task(consumer.run())
    scratch["tasks"].append(running)
    await _publish_one_at_a_time(scratch, 6)
    await eventually(
        lambda: _when(scratch["db"].fetchval("SELECT count(*) FROM inbox"), lambda n: n >= 6),
        what="the six events applied",
    )
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)

    async with _topic_offsets(scratch) as (admin, partitions, ends):
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
        assert {tp: committed[tp].offset for tp in partitions if ends[tp]} == {
            tp: end for tp, end in ends.items() if end
        }
