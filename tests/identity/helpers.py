"""Helpers for identity tests: a live view of identity's events, users in every state."""

import asyncio
import contextlib
import json
import re
import secrets
import uuid
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from tests.kit import client_ip, eventually, service_cli, unique_email

API = "/api/identity"
PASSWORD = "Lantern-Orchard-5190"


def strong_password() -> str:
    return f"Quill-{secrets.token_hex(4)}-Harbor"


class IdentityEvents:
    """Every identity.user event published after the listener started, in arrival order."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.seen: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()

        async def partitions() -> set[int] | None:
            cluster = await consumer._client.fetch_all_metadata()
            return cluster.partitions_for_topic("identity.user")

        found = await eventually(partitions, what="the identity.user topic")
        tps = [TopicPartition("identity.user", p) for p in found]
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:
            await consumer.position(tp)  # resolve now: later events are never missed
        self._consumer = consumer
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        assert self._consumer is not None
        while True:
            batches = await self._consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    self.seen.append(json.loads(record.value))

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer:
            await self._consumer.stop()

    def of(self, event: str, email: str | None = None, user_id: str | None = None) -> list[dict[str, Any]]:
        found = [e for e in self.seen if e["type"] == f"identity.{event}.v1"]
        if email is not None:
            found = [e for e in found if e["data"]["email"].lower() == email.lower()]
        if user_id is not None:
            found = [e for e in found if e["subject"] == user_id]
        return found

    async def wait(
        self, event: str, *, email: str | None = None, user_id: str | None = None, count: int = 1
    ) -> list[dict[str, Any]]:
        async def probe() -> list[dict[str, Any]] | None:
            found = self.of(event, email, user_id)
            return found if len(found) >= count else None

        return await eventually(probe, timeout=30, what=f"{count} {event} event(s) for {email or user_id}")

    async def token(self, event: str, email: str, count: int = 1) -> str:
        found = await self.wait(event, email=email, count=count)
        url = found[-1]["data"].get("verify_url") or found[-1]["data"]["reset_url"]
        match = re.search(r"token=([\w\-]+)", url)
        assert match, url
        return match.group(1)


def registration(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Mei Chen",
        "phone": "0912 345 678",
        "email": unique_email("id"),
        "password": strong_password(),
        "locale": "zh-TW",
    }
    body.update(overrides)
    return body


async def register(gateway: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = registration(**overrides)
    response = await gateway.post(f"{API}/auth/register", json=body, headers={"X-Forwarded-For": client_ip()})
    assert response.status_code == 202, response.text
    assert response.json() == {"status": "verification_sent"}
    return body


async def login(gateway: httpx.AsyncClient, email: str, password: str, **headers: str) -> httpx.Response:
    return await gateway.post(
        f"{API}/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": client_ip(), **headers},
    )


async def verified_user(
    gateway: httpx.AsyncClient, events: IdentityEvents, **overrides: Any
) -> dict[str, Any]:
    """A registered, verified, signed-in customer: body + tokens + id."""
    body = await register(gateway, **overrides)
    token = await events.token("VerificationRequested", body["email"])
    verified = await gateway.post(f"{API}/auth/verify", json={"token": token})
    assert verified.status_code == 200, verified.text
    signed_in = await login(gateway, body["email"], body["password"])
    assert signed_in.status_code == 200, signed_in.text
    tokens = signed_in.json()
    me = await gateway.get(f"{API}/me", headers=bearer(tokens["access_token"]))
    return {**body, **tokens, "id": me.json()["id"]}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def staff_user(stack: dict[str, Any], roles: str) -> dict[str, str]:
    email = unique_email(roles.split(",")[0])
    user_id = service_cli(
        stack,
        "identity",
        "create-user",
        "--email",
        email,
        "--name",
        "Staff Member",
        "--phone",
        "+81 90-1234-5678",
        "--password",
        PASSWORD,
        "--roles",
        roles,
        "--verified",
    ).strip()
    uuid.UUID(user_id)
    return {"email": email, "password": PASSWORD, "id": user_id}
