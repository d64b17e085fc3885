"""Kafka clients authenticate with SCRAM-SHA-512, as the services do in the cluster.

The local broker has a SASL_PLAINTEXT listener with one SCRAM user (deploy/local/kafka.py);
the outbox relay and the consumer go through it with the options shared.kafka_security builds
from the service settings.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aiokafka.errors import KafkaError
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.config import Settings as CasesSettings
from shared.config import ServiceSettings
from shared.consumer import EventConsumer
from shared.db import transaction
from shared.events import Envelope
from shared.kafka_security import KafkaSecurity
from shared.outbox import add_event
from shared.relay import OutboxRelay, make_producer
from tests.kit import eventually
from tests.shared.test_messaging import effects, scratch, start  # noqa: F401 (scratch: the fixture)


def _scram(stack: dict[str, Any], password: str | None = None) -> KafkaSecurity:
    kafka = stack["kafka"]
    return KafkaSecurity(
        protocol="SASL_PLAINTEXT",
        username=kafka["scram_username"],
        password=kafka["scram_password"] if password is None else password,
    )


def test_service_settings_name_the_scram_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASES_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("CASES_KAFKA_SASL_USERNAME", "cases")
    monkeypatch.setenv("CASES_KAFKA_SASL_PASSWORD", "from-the-kafkauser-secret")
    options = CasesSettings().kafka_security.client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "cases",
        "from-the-kafkauser-secret",
    )
    assert options["ssl_context"] is not None
    assert ServiceSettings().kafka_security.client_options() == {}


def test_an_authenticated_protocol_without_credentials_is_refused() -> None:
    with pytest.raises(ValueError, match="SCRAM username and password"):
        KafkaSecurity(protocol="SASL_SSL", username="cases")


async def test_events_flow_through_the_scram_listener(scratch: dict[str, Any], stack: dict[str, Any]) -> None:  # noqa: F811
    security, bootstrap = _scram(stack), stack["kafka"]["sasl_bootstrap"]

    async def record_effect(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await session.exec(
            text("INSERT INTO effects (event_id, note) VALUES (:id, :note)"),
            params={"id": envelope.id, "note": envelope.data.note},
        )

    consumer = EventConsumer(
        f"kafka-auth-test-{uuid.uuid4().hex[:6]}",
        bootstrap=bootstrap,
        sessions=scratch["sessions"],
        handlers={scratch["event"]: record_effect},
        security=security,
    )
    start(scratch, consumer.run())
    start(scratch, OutboxRelay("kafka-auth-test", scratch["dsn"], bootstrap, security=security).run())
    async with transaction(scratch["sessions"]) as session:
        envelope = await add_event(
            session, scratch["event"](thing_id=uuid.uuid4(), note="scram"), source="test"
        )
    rows = await eventually(lambda: effects(scratch), what="the effect of an event relayed over SCRAM")
    assert [r["event_id"] for r in rows] == [envelope.id]


async def test_a_wrong_password_is_refused(stack: dict[str, Any]) -> None:
    producer = make_producer(
        stack["kafka"]["sasl_bootstrap"], **_scram(stack, password="not-the-password").client_options()
    )
    with pytest.raises(KafkaError):
        await producer.start()
    await producer.stop()


async def test_the_scram_listener_refuses_unauthenticated_clients(stack: dict[str, Any]) -> None:
    producer = make_producer(stack["kafka"]["sasl_bootstrap"], request_timeout_ms=3000)
    with pytest.raises(KafkaError):
        await producer.start()
    await producer.stop()
