"""The backbone's promises, end to end through the real services:
Kafka down ⇒ writes still succeed and nothing is lost; duplicates have one effect; poison
messages go to the dead-letter topic while the consumers go on.
"""

import json
import uuid
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from deploy.portal_client import Portal
from shared.dlq_cli import read_dead_letters
from shared.events import UserRegistered, VerificationRequested
from tests.conftest import database_url
from tests.e2e.conftest import PASSWORD
from tests.kit import eventually, unique_email


async def register(stack: dict[str, Any], email: str, locale: str = "en") -> None:
    async with Portal(stack["gateway"]["url"]) as portal:
        await portal.register(
            email=email, password=PASSWORD, name="Lin Wei", phone="+886912345678", locale=locale
        )


async def outbox_count(stack: dict[str, Any], service: str) -> int:
    connection = await asyncpg.connect(database_url(stack, service))
    try:
        return await connection.fetchval("SELECT count(*) FROM outbox")
    finally:
        await connection.close()


async def test_registration_during_kafka_outage_mails_exactly_once_when_kafka_returns(
    stack, stack_control, mailpit
):
    email = unique_email("outage")
    stack_control.stop("kafka")
    try:
        await register(stack, email)  # 202 although Kafka is down: the event waits in the outbox
        assert await outbox_count(stack, "identity") >= 1
        # Readiness is for probes, which reach the service directly (the gateway hides it).
        async with httpx.AsyncClient(base_url=stack["services"]["identity"]["url"]) as client:
            strict = await client.get("/readyz")
            lenient = await client.get("/readyz", params={"kafka": "optional"})
        assert strict.status_code == 503 and strict.json()["checks"]["kafka"] == "unreachable"
        assert lenient.status_code == 200 and lenient.json()["status"] == "degraded"
    finally:
        stack_control.start("kafka")

    await mailpit.wait_for(email, timeout=120)
    await eventually(
        lambda: _zero(outbox_count(stack, "identity")), timeout=60, what="identity's outbox drained"
    )
    # Nothing is sent twice: the verification mail stays single once everything has settled.
    await _notifier_caught_up(stack)
    assert len(await mailpit.messages_to(email)) == 1


async def test_same_event_delivered_twice_mails_once(stack, mailpit):
    email = unique_email("twice")
    await register(stack, email)
    [first] = await mailpit.wait_for(email)
    envelope = await _find_event(stack, VerificationRequested.type, email)

    await _publish(stack, VerificationRequested.topic, envelope)  # redelivery of the very same event
    await _notifier_caught_up(stack)
    assert [m["ID"] for m in await mailpit.messages_to(email)] == [first["ID"]]


async def test_malformed_event_is_dead_lettered_and_consumers_go_on(stack, mailpit):
    poison = f'{{"broken": "{uuid.uuid4()}"'.encode()
    await _publish_raw(stack, UserRegistered.topic, poison)

    async def dead_lettered() -> list[Any]:
        letters = await read_dead_letters(stack["kafka"]["bootstrap"], [f"{UserRegistered.topic}.dlq"])
        return [letter for letter in letters if letter.value == poison]

    letters = await eventually(dead_lettered, timeout=60, what="the poison message in the dead-letter topic")
    assert all("not an event envelope" in letter.headers["dlq_error"] for letter in letters)
    # The notifier goes on: a registration after the poison message still gets its mail.
    email = unique_email("after-poison")
    await register(stack, email)
    await mailpit.wait_for(email)


async def _zero(count_awaitable) -> bool:
    return await count_awaitable == 0


async def _find_event(stack: dict[str, Any], event_type: str, email: str) -> bytes:
    """The raw bytes of the event about `email` on its topic, read back from Kafka."""
    consumer = AIOKafkaConsumer(
        VerificationRequested.topic, bootstrap_servers=stack["kafka"]["bootstrap"],
        group_id=f"e2e-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest", enable_auto_commit=False,
    )  # fmt: skip
    await consumer.start()
    try:

        async def probe() -> bytes | None:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    try:
                        data = json.loads(record.value)
                    except ValueError:
                        continue  # the poison messages other tests put on the topic
                    if data.get("type") == event_type and data["data"].get("email") == email:
                        return record.value
            return None

        return await eventually(probe, timeout=60, what=f"{event_type} for {email} on Kafka")
    finally:
        await consumer.stop()


async def _publish_raw(stack: dict[str, Any], topic: str, value: bytes, key: bytes = b"e2e") -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack["kafka"]["bootstrap"])
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def _publish(stack: dict[str, Any], topic: str, value: bytes) -> None:
    await _publish_raw(stack, topic, value, key=json.loads(value)["subject"].encode())


async def _notifier_caught_up(stack: dict[str, Any]) -> None:
    """Wait until the notifier's committed offsets reach the end of identity's topic: then every
    event so far, duplicates included, has been handled (or ignored) and committed."""
    admin = AIOKafkaAdminClient(bootstrap_servers=stack["kafka"]["bootstrap"])
    consumer = AIOKafkaConsumer(bootstrap_servers=stack["kafka"]["bootstrap"])
    await admin.start()
    await consumer.start()
    try:
        described = await admin.describe_topics([UserRegistered.topic])
        partitions = [
            TopicPartition(UserRegistered.topic, p["partition"]) for p in described[0]["partitions"]
        ]
        ends = await consumer.end_offsets(partitions)

        async def caught_up() -> bool:
            committed = await admin.list_consumer_group_offsets("notifier", partitions=partitions)
            return all(
                ends[tp] == 0 or (tp in committed and committed[tp].offset >= ends[tp]) for tp in partitions
            )

        await eventually(caught_up, timeout=60, what="the notifier to commit every identity event")
    finally:
        await consumer.stop()
        await admin.close()


async def test_postgres_outage_answers_503_with_retry_after_and_recovers_by_itself(
    stack, stack_control, mailpit
):
    sign_in = {"email": unique_email("pg-outage"), "password": "Not-The-Password-1"}
    stack_control.stop("postgres")
    try:
        async with httpx.AsyncClient(base_url=stack["gateway"]["url"], timeout=30) as client:
            answer = await client.post("/api/identity/auth/login", json=sign_in)
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == "/problems/unavailable"
        assert int(answer.headers["retry-after"]) > 0
    finally:
        stack_control.start("postgres")

    async def answered_by_the_database() -> bool:
        async with httpx.AsyncClient(base_url=stack["gateway"]["url"], timeout=30) as client:
            # Wrong password, or the Postgres-backed limiter: either way PostgreSQL answered.
            return (await client.post("/api/identity/auth/login", json=sign_in)).status_code in (401, 429)

    await eventually(
        answered_by_the_database, timeout=60, interval=0.5, what="identity answers from PostgreSQL again"
    )

    # No service was restarted: every pool reconnects, and relays and consumers resume.
    async def all_ready() -> bool:
        async with httpx.AsyncClient(timeout=10) as client:
            answers = [await client.get(f"{entry['url']}/readyz") for entry in stack["services"].values()]
        return all(answer.status_code == 200 for answer in answers)

    await eventually(all_ready, timeout=60, interval=0.5, what="every service ready again")
    email = unique_email("after-pg")
    await register(stack, email)  # identity's outbox → relay → Kafka → notifier's consumer → mail
    await mailpit.wait_for(email, timeout=120)
