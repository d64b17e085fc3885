"""Helpers for licensing tests: real accounts from identity, issuance, Kafka reads.

Accounts come from identity (an admin made with its CLI, customers registered through its API
and verified by that admin), so licensing learns "verified" the real way: UserVerified on Kafka.
"""

import asyncio
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from tests.kit import eventually, service_cli, unique_email

API = "/api/licensing"
IDENTITY = "/api/identity"
PASSWORD = "Lantern-Orchard-5190"
TOKEN_REFRESH_SECONDS = 8 * 60  # identity's access tokens live 10 minutes


def client_ip() -> str:
    """A distinct documentation-range address, so per-address counters of tests never meet."""
    return f"203.0.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"


@dataclass
class Account:
    """A signed-in identity account; `headers` re-signs in before the token expires."""

    identity: httpx.AsyncClient  # straight to identity: account set-up must not meet the gateway's limits
    email: str
    password: str
    id: str = ""
    ip: str = field(default_factory=client_ip)
    _token: str = ""
    _signed_in_at: float = 0.0

    async def headers(self) -> dict[str, str]:
        if time.monotonic() - self._signed_in_at > TOKEN_REFRESH_SECONDS:
            response = await self.identity.post(
                "/auth/login",
                json={"email": self.email, "password": self.password},
                headers={"X-Forwarded-For": client_ip()},
            )
            assert response.status_code == 200, response.text
            self._token = response.json()["access_token"]
            self._signed_in_at = time.monotonic()
        return {"Authorization": f"Bearer {self._token}", "X-Forwarded-For": self.ip}


def create_staff(stack: dict[str, Any], identity: httpx.AsyncClient, roles: str = "admin,support") -> Account:
    email = unique_email("licensing-staff")
    user_id = service_cli(
        stack,
        "identity",
        "create-user",
        "--email",
        email,
        "--name",
        "Back Office",
        "--phone",
        "+886912345678",
        "--password",
        PASSWORD,
        "--roles",
        roles,
        "--verified",
    ).strip()
    return Account(identity, email, PASSWORD, id=str(uuid.UUID(user_id)))


async def register_customer(identity: httpx.AsyncClient, staff: Account, *, verify: bool = True) -> Account:
    """Register through identity's API; verify by staff (the way support does it for blocked mail)."""
    email = unique_email("licensee")
    body = {
        "name": "Mei Chen",
        "phone": "0912 345 678",
        "email": email,
        "password": PASSWORD,
        "locale": "zh-TW",
    }
    response = await identity.post("/auth/register", json=body, headers={"X-Forwarded-For": client_ip()})
    assert response.status_code == 202, response.text
    found = await identity.get("/admin/users", params={"q": email}, headers=await staff.headers())
    assert found.status_code == 200, found.text
    [user] = [u for u in found.json()["items"] if u["email"] == email]
    account = Account(identity, email, PASSWORD, id=user["id"])
    if verify:
        verified = await identity.post(
            f"/admin/users/{account.id}/verify",
            json={"reason": "licensing test: mail blocked"},
            headers=await staff.headers(),
        )
        assert verified.status_code == 200, verified.text
    return account


async def wait_until_licensing_knows(gateway: httpx.AsyncClient, account: Account) -> None:
    """Licensing learns verification from UserVerified; until then lookups answer 403.

    The probe sends a malformed serial: once verified it gets 422, which records no attempt.
    """

    async def probe() -> bool:
        response = await gateway.post(
            f"{API}/me/licenses/search",
            json={"serial": "OMF-0", "registration_number": "0"},
            headers=await account.headers(),
        )
        assert response.status_code in (403, 422), response.text
        return response.status_code == 422

    await eventually(probe, timeout=60, what=f"licensing to learn that {account.email} is verified")


async def issue_license(gateway: httpx.AsyncClient, staff: Account, **overrides: Any) -> dict[str, Any]:
    body = {
        "product": "OMFLOW",
        "edition": "Enterprise",
        "seats": 25,
        "purchased_on": "2024-01-01",
        "warranty_ends": "2025-01-01",
    }
    body.update(overrides)
    response = await gateway.post(f"{API}/admin/licenses", json=body, headers=await staff.headers())
    assert response.status_code == 201, response.text
    return response.json()


async def issue_contract(
    gateway: httpx.AsyncClient, staff: Account, serial: str, starts_on: date | str, ends_on: date | str
) -> httpx.Response:
    return await gateway.post(
        f"{API}/admin/licenses/{serial}/contracts",
        json={"starts_on": str(starts_on), "ends_on": str(ends_on)},
        headers=await staff.headers(),
    )


def lookup(license: dict[str, Any], registration_number: str | None = None) -> dict[str, str]:
    return {
        "serial": license["serial"],
        "registration_number": registration_number or license["registration_number"],
    }


def comparable(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem body without what differs per request."""
    return {k: v for k, v in problem.items() if k not in ("request_id", "instance")}


async def events_about(
    bootstrap: str, topic: str, subject: str, *, want: set[str], timeout: float = 60
) -> list[dict]:
    """Every event on `topic` whose subject is `subject`, read from the start, once all `want`
    types were seen (a fresh consumer, no group: it disturbs nobody's offsets)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or {0, 1, 2})]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: list[dict] = []

        async def probe() -> list[dict] | None:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    if record.key and record.key.decode() == subject:
                        found.append(json.loads(record.value))
            return found if want <= {e["type"] for e in found} else None

        return await eventually(probe, timeout=timeout, what=f"{want} about {subject} on {topic}")
    finally:
        await asyncio.wait_for(consumer.stop(), timeout=10)
