"""The event envelope (CloudEvents style) and the base class of every event schema.

An event class names its topic (one per aggregate) and its versioned type; the envelope's
`subject` is the aggregate id, which is also the Kafka message key, so the events of one
aggregate stay in order.
"""

from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from shared import clock


class Event(BaseModel):
    """Base of every event payload. Subclasses set `topic`, `type` and `subject_field`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    topic: ClassVar[str]
    type: ClassVar[str]
    subject_field: ClassVar[str]

    @property
    def subject(self) -> str:
        return str(getattr(self, self.subject_field))


E = TypeVar("E", bound=Event)


class Envelope(BaseModel, Generic[E]):
    id: UUID = Field(default_factory=uuid4)
    type: str
    source: str
    time: datetime = Field(default_factory=clock.now)
    subject: str
    traceparent: str | None = None
    datacontenttype: str = "application/json"
    data: E

    @classmethod
    def wrap(cls, event: E, *, source: str, traceparent: str | None = None) -> "Envelope[E]":
        return cls(type=event.type, source=source, subject=event.subject, traceparent=traceparent, data=event)


class RawEnvelope(BaseModel):
    """An envelope whose data is not parsed yet: what a consumer reads off the wire first."""

    model_config = ConfigDict(extra="ignore")

    id: UUID
    type: str
    source: str
    time: datetime
    subject: str
    traceparent: str | None = None
    data: dict[str, Any]
