"""Helpers for licensing tests: issuance, lookups, Kafka reads.

Accounts are the kit's (tests/accounts.py: an admin made with identity's CLI, customers
registered through its API and verified by that admin), so licensing learns "verified" the
real way: UserVerified on Kafka.
"""

import asyncio
import json
from datetime import date
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from tests.accounts import PortalUser, new_account
from tests.kit import client_ip, eventually

API = "/api/licensing"
IDENTITY = "/api/identity"


async def create_staff(stack: dict[str, Any], roles: str = "admin,support") -> PortalUser:
    """A back-office account, from an address of its own."""
    return await new_account(stack, *roles.split(","), name="Back Office", ip=client_ip())


async def wait_until_licensing_knows(gateway: httpx.AsyncClient, account: PortalUser) -> None:
    """Licensing learns verification from UserVerified; until then lookups answer 403.

    The probe sends a malformed serial: once verified it gets 422, which records no attempt.
    """

    async def probe() -> bool:
        response = await gateway.post(
            f"{API}/me/licenses/search",
            json={"serial": "OMF-0", "registration_number": "0"},
            headers=account.headers,
        )
        assert response.status_code in (403, 422), response.text
        return response.status_code == 422

    await eventually(probe, timeout=60, what=f"licensing to learn that {account.email} is verified")


async def issue_license(gateway: httpx.AsyncClient, staff: PortalUser, **overrides: Any) -> dict[str, Any]:
    body = {
        "product": "OMFLOW",
        "edition": "Enterprise",
        "seats": 25,
        "purchased_on": "2024-01-01",
        "warranty_ends": "2025-01-01",
    }
    body.update(overrides)
    response = await gateway.post(f"{API}/admin/licenses", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def issue_contract(
    gateway: httpx.AsyncClient, staff: PortalUser, serial: str, starts_on: date | str, ends_on: date | str
) -> httpx.Response:
    return await gateway.post(
        f"{API}/admin/licenses/{serial}/contracts",
        json={"starts_on": str(starts_on), "ends_on": str(ends_on)},
        headers=staff.headers,
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
