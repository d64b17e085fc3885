"""The object store's GET notifications: downloads that actually happened.

MinIO publishes one JSON message per completed GET to Kafka (`s3:ObjectAccessed:Get`, sent
only after the whole response body was written, so a broken-off transfer sends nothing). It is
MinIO's format, not our envelope: `ObjectAccessConsumer` adapts it so the shared consumer's
inbox, batching, retries and dead letters apply unchanged. The envelope's id derives from the
request's id (MinIO's `x-amz-request-id` and node id, unique per GET; the `sequencer` is not:
it names the object version), so a redelivered notification is a no-op.

MinIO's notification carries no query parameter of the presigned URL (its request parameters
are only region, principal and source address), so a GET is matched to a grant by what both
know: the object key, the time (within the URL's validity) and, preferably, the address.
"""

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import unquote_plus

from aiokafka import ConsumerRecord
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.downloads.config import ACCESS_GROUP, ACCESS_TOPIC, Settings
from services.downloads.models import ArtifactAccess, DownloadAudit
from shared.consumer import EventConsumer, Handler, PoisonMessage
from shared.events import Envelope, Event
from shared.logging import get_logger
from shared.topics import dlq_topic, ensure_topics

log = get_logger(__name__)

ACCESS_EVENT = "s3:ObjectAccessed:Get"
# Clocks of the service and the object store may differ a little around the URL's validity.
CLOCK_SKEW = timedelta(seconds=30)


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _S3Object(_Lenient):
    key: str
    size: int = 0


class _S3(_Lenient):
    object: _S3Object


class _Source(_Lenient):
    host: str = ""


class _Record(_Lenient):
    event_name: str = Field(alias="eventName")
    event_time: datetime = Field(alias="eventTime")
    request_parameters: dict[str, str] = Field(default_factory=dict, alias="requestParameters")
    response_elements: dict[str, str] = Field(default_factory=dict, alias="responseElements")
    s3: _S3
    source: _Source = _Source()


class _Notification(_Lenient):
    records: list[_Record] = Field(alias="Records")


class ObjectAccessed(Event):
    """One completed GET, as the downloads service keeps it (adapted from MinIO's message; not
    one of our events: no service publishes it)."""

    topic: ClassVar[str] = ACCESS_TOPIC
    type: ClassVar[str] = ACCESS_EVENT
    subject_field: ClassVar[str] = "object_key"

    access_id: str
    object_key: str
    accessed_at: datetime
    source_address: str
    bytes_sent: int
    object_size: int
    ranged: bool

    @property
    def complete(self) -> bool:
        return not self.ranged and self.bytes_sent == self.object_size


def _request_identity(record: _Record) -> str:
    """The GET request's own id: the `sequencer` names the object version (every GET of one
    object carries the same), the request id is unique per node, the node id names the node."""
    elements = record.response_elements
    request_id, node_id = elements.get("x-amz-request-id", ""), elements.get("x-amz-id-2", "")
    if not request_id:
        raise ValueError("a GET notification without x-amz-request-id")
    return f"{node_id}:{request_id}"


def parse_notification(value: bytes) -> list[ObjectAccessed]:
    """MinIO's message → the GETs it reports (other event names: none)."""
    notification = _Notification.model_validate_json(value)
    accesses = []
    for record in notification.records:
        if record.event_name != ACCESS_EVENT:
            continue
        sent = record.response_elements.get("content-length", "")
        accesses.append(
            ObjectAccessed(
                access_id=_request_identity(record),
                object_key=unquote_plus(record.s3.object.key),  # MinIO escapes keys in events
                accessed_at=record.event_time,
                source_address=record.request_parameters.get("sourceIPAddress", record.source.host),
                bytes_sent=int(sent) if sent.isdigit() else 0,
                object_size=record.s3.object.size,
                ranged="range" in record.request_parameters,
            )
        )
    return accesses


async def record_access(session: AsyncSession, access: ObjectAccessed) -> None:
    """Keep the GET once, matched to the grant whose URL it most likely used: same object,
    within that URL's validity, the same address first, an unused grant before a used one,
    the oldest first (URLs are used in the order they were handed out)."""
    used = exists().where(col(ArtifactAccess.grant_id) == col(DownloadAudit.id), col(ArtifactAccess.complete))
    grant_id = (
        await session.execute(
            select(col(DownloadAudit.id))
            .where(
                col(DownloadAudit.object_key) == access.object_key,
                col(DownloadAudit.at) <= access.accessed_at + CLOCK_SKEW,
                col(DownloadAudit.expires_at) >= access.accessed_at - CLOCK_SKEW,
            )
            .order_by(
                (col(DownloadAudit.client_address) == access.source_address).desc(),
                used.asc(),
                col(DownloadAudit.at),
            )
            .limit(1)
            .with_for_update()
        )
    ).scalar()
    await session.execute(
        insert(ArtifactAccess)
        .values(
            access_id=access.access_id,
            object_key=access.object_key,
            accessed_at=access.accessed_at,
            source_address=access.source_address,
            bytes_sent=access.bytes_sent,
            complete=access.complete,
            grant_id=grant_id,
        )
        .on_conflict_do_nothing()
    )


async def _on_access(session: AsyncSession, envelope: Envelope[ObjectAccessed]) -> None:
    await record_access(session, envelope.data)


class ObjectAccessConsumer(EventConsumer):
    """The shared consumer reading MinIO's notifications instead of our envelopes."""

    def __init__(self, topic: str, **options: Any) -> None:
        super().__init__(ACCESS_GROUP, handlers={}, **options)
        self.topics = [topic]

    def _parse(self, record: ConsumerRecord) -> tuple[Envelope[Any], Handler] | None:
        try:
            accesses = parse_notification(record.value or b"")
        except ValueError as error:  # pydantic's ValidationError included
            raise PoisonMessage(f"not a MinIO GET notification: {str(error)[:500]}") from error
        if not accesses:
            return None
        # MinIO sends one record per message; a message with more would need one inbox row each.
        access = accesses[0]
        envelope = Envelope(
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"minio-access:{access.access_id}"),
            type=ACCESS_EVENT,
            source="minio",
            time=access.accessed_at,
            subject=access.object_key,
            data=access,
        )
        return envelope, _on_access


async def consume_accesses(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    topic = settings.access_topic
    security = settings.kafka_security
    while True:  # Kafka may come up after the service
        try:
            await ensure_topics(
                settings.kafka_bootstrap,
                (topic, dlq_topic(topic)),
                replication=settings.kafka_topic_replication,
                security=security,
            )
            break
        except Exception as error:
            log.warning("access topic not ready, retrying", error=repr(error))
            await asyncio.sleep(2.0)
    await ObjectAccessConsumer(
        topic,
        bootstrap=settings.kafka_bootstrap,
        sessions=app.state.sessions,
        max_attempts=settings.consumer_max_attempts,
        retry_base_seconds=settings.consumer_retry_base_seconds,
        security=security,
    ).run()
