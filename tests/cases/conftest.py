"""Fixtures of the cases tests: accounts, licensing/identity events in, case events out."""

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from shared.events import RawEnvelope
from shared.events.cases import TOPIC
from tests.accounts import Accounts
from tests.kit import eventually
from tests.licensing_events import EventPublisher


@pytest.fixture(scope="session")
def accounts(stack: dict[str, Any], gateway: httpx.AsyncClient) -> Iterator[Accounts]:
    box = Accounts(stack, gateway)
    yield box
    box.close()


@pytest.fixture(scope="session")
async def events(kafka_bootstrap: str) -> AsyncIterator[EventPublisher]:
    publisher = EventPublisher(kafka_bootstrap)
    yield publisher
    await publisher.close()


class CaseEvents:
    """Reads what the cases service published on `cases.case` (no consumer group)."""

    def __init__(self, bootstrap: str) -> None:
        self.consumer = AIOKafkaConsumer(
            TOPIC, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
        )
        self.seen: list[RawEnvelope] = []

    async def start(self) -> None:
        await self.consumer.start()

    async def of_case(self, case_id: str, event_type: str, count: int = 1) -> list[RawEnvelope]:
        async def probe() -> list[RawEnvelope] | None:
            batches = await self.consumer.getmany(timeout_ms=200)
            for records in batches.values():
                self.seen += [RawEnvelope.model_validate_json(r.value) for r in records if r.value]
            found = [e for e in self.seen if e.subject == case_id and e.type == event_type]
            return found if len(found) >= count else None

        return await eventually(probe, what=f"{count} {event_type} for case {case_id}")

    async def stop(self) -> None:
        await self.consumer.stop()


@pytest.fixture(scope="session")
async def case_events(kafka_bootstrap: str) -> AsyncIterator[CaseEvents]:
    reader = CaseEvents(kafka_bootstrap)
    await reader.start()
    yield reader
    await reader.stop()


def unique_product() -> str:
    return f"CST{uuid.uuid4().hex[:6].upper()}"
