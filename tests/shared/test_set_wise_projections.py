"""A burst of events applied in one batch by a set-wise handler leaves a projection exactly as
the same events applied one at a time do: the holdings (licensing's events, in downloads and
cases) and cases' people (identity's events).

Real Kafka and PostgreSQL: the events are built by the producers' own builders, published on a
fresh topic as the relay publishes them, and consumed with the service's own handler map into
two scratch databases holding the projection's table: one by the consumer as it runs (all
records fetched at once, so applied in batches), one record at a time through the consumer's
single-event path.
"""

import asyncio
import importlib
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from sqlalchemy import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import events as licensing_events
from shared.consumer import EventConsumer, SetWise
from shared.db import make_engine, make_sessionmaker
from shared.entitlements import Coverage, Period
from shared.events import (
    BindingMoved,
    ContractBound,
    Envelope,
    Event,
    LicenseBound,
    LicenseRestored,
    LicenseVoided,
    UserProfileChanged,
    UserVerified,
)
from shared.migrations import MESSAGING_DDL
from shared.outbox import event_headers
from shared.relay import make_producer
from shared.topics import dlq_topic, ensure_topics
from tests.events import (
    binding_moved,
    contract_bound,
    license_bound,
    license_voided,
    licensed,
    long_ago,
    profile_changed,
    user_verified,
)
from tests.kit import empty_database, eventually

LICENSING_EVENTS = (LicenseBound, ContractBound, LicenseVoided, LicenseRestored, BindingMoved)
START, END = date(2026, 1, 1), date(2026, 12, 31)


IDENTITY_EVENTS = (UserVerified, UserProfileChanged)


def service_handlers(service: str) -> dict[type[Event], Any]:
    handlers: dict[type[Event], Any] = importlib.import_module(f"services.{service}.handlers").HANDLERS
    return handlers


def projection_table(service: str, projection: str) -> Table:
    model = getattr(importlib.import_module(f"services.{service}.models"), projection)
    table: Table = getattr(model, "__table__", model)  # a Table, or a model class declaring one
    return table


async def scratch_database(stack: dict[str, Any], table: Table) -> AsyncIterator[dict[str, Any]]:
    async with empty_database(stack, "setwise") as url:
        engine = make_engine(url, pool_size=2)
        async with engine.begin() as connection:
            for statement in MESSAGING_DDL:
                await connection.exec_driver_sql(statement)
            await connection.run_sync(table.create)
        try:
            yield {"engine": engine, "sessions": make_sessionmaker(engine)}
        finally:
            await engine.dispose()


@pytest.fixture
async def two_databases(stack: dict[str, Any], request: pytest.FixtureRequest):
    """(service, table, batched, one by one): scratch databases with the service's projection
    table, named by the parameter `(service, table or model's name in its models)`."""
    service, projection = request.param
    table = projection_table(service, projection)
    batched, single = scratch_database(stack, table), scratch_database(stack, table)
    try:
        yield service, table, await anext(batched), await anext(single)
    finally:
        await asyncio.gather(batched.aclose(), single.aclose())


def licensing_burst() -> tuple[list[Envelope[Event]], dict[str, uuid.UUID]]:
    """Every kind of licensing event, several per license in order, one stale and one redelivered,
    among a burst of plain binds. Times rise as the events are built (Envelope.wrap's clock)."""
    ids = {name: uuid.uuid4() for name in ("renewed", "moved", "voided", "never_seen", "restored", "cut")}
    accounts = {name: uuid.uuid4() for name in ("alice", "bob", "carol")}
    organization = uuid.uuid4()
    product = f"HB{uuid.uuid4().hex[:6].upper()}"

    def wrap(event: Event) -> Envelope[Event]:
        return Envelope.wrap(event, source="licensing")

    burst = [wrap(license_bound(uuid.uuid4(), uuid.uuid4(), product, START, END)) for _ in range(20)]
    restored_license = licensed(ids["restored"], accounts["alice"], product, START, END)
    stale = wrap(license_bound(ids["renewed"], accounts["carol"], product, START, date(2040, 1, 1)))
    sequence = [
        wrap(license_bound(ids["renewed"], accounts["alice"], product, START, END)),
        wrap(license_bound(ids["moved"], accounts["alice"], product, START, END, organization)),
        wrap(license_bound(ids["voided"], accounts["bob"], product, START, END)),
        wrap(license_bound(ids["restored"], accounts["alice"], product, START, END)),
        wrap(license_bound(ids["cut"], accounts["bob"], product, START, END)),
        *burst[:10],
        wrap(
            contract_bound(ids["renewed"], accounts["alice"], product, START, END, END + timedelta(days=365))
        ),
        stale.model_copy(update={"time": long_ago()}),  # late: must not undo the renewal
        wrap(license_voided(ids["voided"], accounts["bob"], product)),  # no coverage left: an update
        wrap(license_voided(ids["never_seen"], accounts["bob"], product)),  # nothing to update
        wrap(license_voided(ids["restored"], accounts["alice"], product)),
        wrap(licensing_events.license_restored(restored_license, Coverage.of(Period(START, END)))),
        wrap(
            license_voided(ids["cut"], accounts["bob"], product, remaining=Period(START, date(2026, 6, 30)))
        ),
        wrap(binding_moved(ids["moved"], product, accounts["alice"], accounts["carol"], Period(START, END))),
        *burst[10:],
    ]
    sequence.insert(20, sequence[1])  # a redelivery: the inbox absorbs it
    return sequence, {**ids, **accounts}


async def publish(bootstrap: str, topic: str, envelopes: list[Envelope[Event]]) -> None:
    """As the relay publishes outbox rows (key: the event's subject), on a topic of the test's own."""
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        for envelope in envelopes:
            await producer.send_and_wait(
                topic,
                value=envelope.model_dump_json().encode(),
                key=envelope.subject.encode(),
                headers=[(k, v.encode()) for k, v in event_headers(envelope).items()],
            )
    finally:
        await producer.stop()


async def read_back(bootstrap: str, topic: str, count: int) -> list[ConsumerRecord]:
    """The topic's records, each partition's in order (no group: every partition, from the start)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        records: list[ConsumerRecord] = []
        while len(records) < count:
            fetched = await consumer.getmany(timeout_ms=1000)
            for batch in fetched.values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def rows_of(engine: Any, table: Table) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        rows = await connection.execute(table.select().order_by(*table.primary_key.columns))
        return [tuple(row) for row in rows]


async def apply_batched_and_one_by_one(
    bootstrap: str,
    service: str,
    event_types: tuple[type[Event], ...],
    envelopes: list[Envelope[Event]],
    batched: dict[str, Any],
    single: dict[str, Any],
) -> None:
    """Publish `envelopes`, apply them with the service's handler for `event_types` in batches
    into `batched` and one at a time into `single`."""
    topic = f"setwise.test.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, (topic, dlq_topic(topic)))
    await publish(bootstrap, topic, envelopes)
    handlers = service_handlers(service)
    # The service's own handler for these events, counted: one set-wise handler for all.
    handler = handlers[event_types[0]]
    assert isinstance(handler, SetWise) and all(handlers[cls] is handler for cls in event_types)
    sizes: list[int] = []

    async def counted(session: AsyncSession, batch: list[Envelope[Any]]) -> None:
        sizes.append(len(batch))
        await handler.apply(session, batch)

    counting = SetWise(counted)
    consumer = EventConsumer(
        f"setwise-batch-{uuid.uuid4().hex[:6]}",
        bootstrap=bootstrap,
        sessions=batched["sessions"],
        handlers=dict.fromkeys(event_types, counting),
    )
    consumer.topics = [topic]  # the producer's events, on the test's own topic
    distinct = len({envelope.id for envelope in envelopes})
    running = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _inbox_holds(batched["engine"], distinct), timeout=60, what="every event")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert sum(sizes) == distinct and max(sizes) > 1, sizes  # applied in batches, each event once

    one_by_one = EventConsumer(
        f"setwise-single-{uuid.uuid4().hex[:6]}",
        bootstrap=bootstrap,
        sessions=single["sessions"],
        handlers=handlers,
    )
    for record in await read_back(bootstrap, topic, len(envelopes)):
        await one_by_one.handle(record)  # one transaction per event


@pytest.mark.parametrize("two_databases", [("downloads", "HOLDINGS"), ("cases", "HOLDINGS")], indirect=True)
async def test_a_burst_of_licensing_events_in_one_batch_leaves_the_holdings_as_one_at_a_time(
    stack: dict[str, Any], two_databases: tuple[str, Table, dict[str, Any], dict[str, Any]]
) -> None:
    service, table, batched, single = two_databases
    envelopes, ids = licensing_burst()
    await apply_batched_and_one_by_one(
        stack["kafka"]["bootstrap"], service, LICENSING_EVENTS, envelopes, batched, single
    )

    expected = await rows_of(single["engine"], table)
    assert await rows_of(batched["engine"], table) == expected
    rows = {row[0]: dict(zip(table.c.keys(), row, strict=True)) for row in expected}
    assert ids["never_seen"] not in rows and len(rows) == 25
    assert rows[ids["renewed"]]["coverage_end"] == END + timedelta(days=365)  # the stale bind lost
    assert rows[ids["voided"]]["void"] and not rows[ids["restored"]]["void"]
    assert rows[ids["cut"]]["coverage_end"] == date(2026, 6, 30)
    assert rows[ids["moved"]]["account_id"] == ids["carol"]


@pytest.mark.parametrize("two_databases", [("cases", "Person")], indirect=True)
async def test_a_burst_of_sign_ups_in_one_batch_leaves_cases_people_as_one_at_a_time(
    stack: dict[str, Any], two_databases: tuple[str, Table, dict[str, Any], dict[str, Any]]
) -> None:
    service, table, batched, single = two_databases
    renamed, moved, late = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def wrap(event: Event) -> Envelope[Event]:
        return Envelope.wrap(event, source="identity")

    stale = wrap(profile_changed(late, "late@example.com", "Stale Name", "en"))
    envelopes = [
        wrap(user_verified(uuid.uuid4(), f"p{n}@example.com", f"Person {n}", "ja")) for n in range(20)
    ]
    envelopes[5:5] = [
        wrap(user_verified(renamed, "renamed@example.com", "First Name", "en")),
        wrap(user_verified(moved, "moved@example.com", "Moved", "zh-TW")),
        wrap(user_verified(late, "late@example.com", "Kept Name", "en")),
        wrap(profile_changed(renamed, "renamed@example.com", "Second Name", "zh-CN")),
        stale.model_copy(update={"time": long_ago()}),  # late: must not undo the name kept
        wrap(
            profile_changed(
                moved, "new-home@example.com", "Moved", "zh-TW", previous_email="moved@example.com"
            )
        ),
    ]
    envelopes.insert(15, envelopes[2])  # a redelivery: the inbox absorbs it
    await apply_batched_and_one_by_one(
        stack["kafka"]["bootstrap"], service, IDENTITY_EVENTS, envelopes, batched, single
    )

    expected = await rows_of(single["engine"], table)
    assert await rows_of(batched["engine"], table) == expected
    people = {row[0]: dict(zip(table.c.keys(), row, strict=True)) for row in expected}
    assert len(people) == 23
    assert (people[renamed]["name"], people[renamed]["locale"]) == ("Second Name", "zh-CN")
    assert people[moved]["email"] == "new-home@example.com"
    assert people[late]["name"] == "Kept Name"


async def _inbox_holds(engine: Any, count: int) -> bool:
    async with engine.connect() as connection:
        result = await connection.exec_driver_sql("SELECT count(*) FROM inbox")
        return bool(result.scalar_one() >= count)
