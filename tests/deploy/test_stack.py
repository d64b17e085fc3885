"""The native stack tool brings up real infrastructure that real clients can use."""

from __future__ import annotations

import asyncio
import io
import json
import smtplib
import time
import urllib.request
import uuid
from email.message import EmailMessage
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from minio import Minio

from deploy.local import stack
from deploy.local.paths import REPO_ROOT, SERVICES

STATE = REPO_ROOT / ".run" / "test"

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def infra() -> dict[str, Any]:
    return stack.up(STATE, services=False, quiet=True)


def test_stack_json_describes_the_running_stack(infra: dict[str, Any]) -> None:
    on_disk = json.loads((STATE / "stack.json").read_text())
    assert on_disk["kafka"] == infra["kafka"]
    assert on_disk["postgres"]["port"] == infra["postgres"]["port"]
    assert set(on_disk["services"]) == set(SERVICES)
    env = stack.service_env("licensing", STATE)
    assert env["LICENSING_KAFKA_BOOTSTRAP"] == infra["kafka"]["bootstrap"]
    assert env["LICENSING_DATABASE_URL"] == infra["postgres"]["url_template"].format(db="licensing")
    status = stack.status(STATE)
    for name in ("postgres", "kafka", "minio", "mailpit"):
        assert status[name]["running"] and status[name]["healthy"], name


async def test_postgres_has_one_database_per_service(infra: dict[str, Any]) -> None:
    pg = infra["postgres"]
    for db in SERVICES:
        conn = await asyncpg.connect(
            host=pg["host"], port=pg["port"], user=pg["user"], password=pg["password"], database=db
        )
        try:
            assert await conn.fetchval("SELECT current_database()") == db
            assert await conn.fetchval("SHOW max_connections") == "200"
        finally:
            await conn.close()


async def _kafka_round_trip(bootstrap: str) -> None:
    topic = f"stack-test-{uuid.uuid4().hex[:8]}"
    payload = uuid.uuid4().bytes
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, payload, key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"stack-test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert message.value == payload


async def test_kafka_round_trips_a_message(infra: dict[str, Any]) -> None:
    await _kafka_round_trip(infra["kafka"]["bootstrap"])


def test_minio_stores_and_returns_an_object(infra: dict[str, Any]) -> None:
    m = infra["minio"]
    client = Minio(m["endpoint"], access_key=m["access_key"], secret_key=m["secret_key"], secure=False)
    assert client.bucket_exists(m["bucket"])
    key = f"stack-test/{uuid.uuid4().hex}.bin"
    body = uuid.uuid4().bytes * 100
    client.put_object(m["bucket"], key, io.BytesIO(body), length=len(body))
    response = client.get_object(m["bucket"], key)
    try:
        assert response.read() == body
    finally:
        response.close()
        response.release_conn()
    client.remove_object(m["bucket"], key)


def test_mailpit_receives_mail(infra: dict[str, Any]) -> None:
    mp = infra["mailpit"]
    subject = f"stack test {uuid.uuid4().hex}"
    mail = EmailMessage()
    mail["From"] = "portal@example.test"
    mail["To"] = "customer@example.test"
    mail["Subject"] = subject
    mail.set_content("hello")
    with smtplib.SMTP(mp["smtp_host"], mp["smtp_port"], timeout=10) as smtp:
        smtp.send_message(mail)
    deadline = time.monotonic() + 10
    subjects: list[str] = []
    while time.monotonic() < deadline:
        url = f"{mp['http_url']}/api/v1/messages?limit=50"
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - our own http URL
            subjects = [m["Subject"] for m in json.load(resp)["messages"]]
        if subject in subjects:
            break
        time.sleep(0.2)
    assert subject in subjects


async def test_kafka_restarts_on_the_same_port(infra: dict[str, Any]) -> None:
    bootstrap = infra["kafka"]["bootstrap"]
    assert stack.stop("kafka", STATE) is True
    assert stack.status(STATE)["kafka"]["running"] is False
    stack.start("kafka", STATE)
    assert stack.status(STATE)["kafka"]["address"] == bootstrap
    await _kafka_round_trip(bootstrap)
