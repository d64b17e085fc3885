"""Feed services events the way the producers' outbox relays do: the event built from its
schema in shared/events, wrapped and encoded as `shared.outbox.add_event` stores it (envelope,
key, CloudEvents headers) and sent as the relay sends an outbox row.

Tests drive the downloads, cases and notifier consumers with these, so they do not depend on
the producing service's own flow (covered by that service's tests). Publishing the same
envelope twice is a redelivery.
"""

import uuid
from datetime import UTC, date, datetime

from aiokafka import AIOKafkaProducer

from shared.events import ContractBound, Envelope, Event, LicenseBound, LicenseVoided
from shared.outbox import event_headers
from shared.relay import make_producer


def producer_of(event: Event) -> str:
    """Who publishes this event: the service that owns the topic named after it."""
    return event.topic.split(".", 1)[0]


class EventPublisher:
    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._producer: AIOKafkaProducer | None = None

    async def publish(self, event: Event, *, time: datetime | None = None) -> Envelope[Event]:
        """Publish a new envelope of `event`; `time` backdates it (a late, stale event)."""
        envelope: Envelope[Event] = Envelope.wrap(event, source=producer_of(event))
        if time is not None:
            envelope = envelope.model_copy(update={"time": time})
        await self.publish_envelope(envelope)
        return envelope

    async def publish_envelope(self, envelope: Envelope[Event]) -> None:
        """Publish an envelope as it is: the same one twice is a redelivery."""
        if self._producer is None:
            self._producer = make_producer(self.bootstrap)
            await self._producer.start()
        await self._producer.send_and_wait(
            envelope.data.topic,
            value=envelope.model_dump_json().encode(),
            key=envelope.subject.encode(),
            headers=[(k, v.encode()) for k, v in event_headers(envelope).items()],
        )

    async def bind_license(
        self,
        account_id: uuid.UUID,
        product: str,
        start: date,
        end: date,
        *,
        license_id: uuid.UUID | None = None,
        time: datetime | None = None,
    ) -> Envelope[Event]:
        event = license_bound(license_id or uuid.uuid4(), account_id, product, start, end)
        return await self.publish(event, time=time)

    async def bind_contract(
        self,
        license_id: uuid.UUID,
        account_id: uuid.UUID,
        product: str,
        start: date,
        starts_on: date,
        end: date,
    ) -> None:
        await self.publish(
            ContractBound(
                license_id=license_id,
                contract_id=uuid.uuid4(),
                account_id=account_id,
                serial=f"SN-{license_id.hex[:10].upper()}",
                product=product,
                starts_on=starts_on,
                ends_on=end,
                coverage_start=start,
                coverage_end=end,
            )
        )

    async def void_license(self, license_id: uuid.UUID, account_id: uuid.UUID, product: str) -> None:
        await self.publish(
            LicenseVoided(
                license_id=license_id,
                account_id=account_id,
                serial=f"SN-{license_id.hex[:10].upper()}",
                product=product,
                license_void=True,
                coverage_start=None,
                coverage_end=None,
            )
        )

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()


def long_ago() -> datetime:
    """An event time older than any real one (to prove a late, stale event changes nothing)."""
    return datetime(2000, 1, 1, tzinfo=UTC)


def license_bound(
    license_id: uuid.UUID, account_id: uuid.UUID, product: str, start: date, end: date
) -> LicenseBound:
    return LicenseBound(
        license_id=license_id,
        account_id=account_id,
        serial=f"SN-{license_id.hex[:10].upper()}",
        product=product,
        edition="Enterprise",
        seats=10,
        coverage_start=start,
        coverage_end=end,
    )
