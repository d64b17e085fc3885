"""Tables of the support mailbox (in the cases database; migration 0005_inbound_mail)."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Column, Index, LargeBinary, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from services.cases.models import Base, timestamp_column, utcnow


class InboundMail(Base, table=True):
    """One received mail, raw, stored before the SMTP 250; `status` says what became of it:
    pending → applied (a case or a case message), ignored (with the reason in `outcome`),
    or failed (kept for staff after too many attempts)."""

    __tablename__ = "inbound_mail"
    __table_args__ = (
        Index("ix_inbound_mail_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("ix_inbound_mail_case", "case_id"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    message_id: str = Field(sa_type=Text, unique=True)
    envelope_from: str = Field(sa_type=Text)
    recipients: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int
    status: str = Field(default="pending", max_length=16)
    outcome: str | None = Field(default=None, max_length=32)
    case_id: UUID | None = None
    case_message_id: UUID | None = None
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    received_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    processed_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))


class MailboxAutoReply(Base, table=True):
    """When an address last got an auto-reply for a reason (one per quiet period)."""

    __tablename__ = "mailbox_auto_reply"

    address: str = Field(sa_type=Text, primary_key=True)
    reason: str = Field(max_length=32, primary_key=True)
    sent_at: datetime = Field(sa_column=timestamp_column())
