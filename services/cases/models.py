"""Tables of the cases service: cases, their messages, and projections of licenses and people.

Its own SQLModel registry keeps these tables apart from other services' in one process.
"""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Text, Uuid, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import registry
from sqlmodel import AutoString, Field, SQLModel

from shared import clock
from shared.events.cases import CaseCategory, CaseSeverity, CaseStatus, TransitionReason
from shared.holdings import HoldingRecord
from shared.memberships import MembershipRecord
from shared.ratelimit import rate_events_table

# What a history row records a change of.
ChangeKind = Literal["status", "assignee", "severity"]


def utcnow() -> datetime:
    return clock.now()


def timestamp_column(nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable)


def _code(length: int) -> AutoString:
    """The column of a closed set of words (status, category, …): a plain string in the table,
    typed by its `Literal` in Python, so no migration ties the database to the list."""
    return AutoString(length=length)


class Base(SQLModel, registry=registry()):
    pass


class CaseBase(Base):
    license_id: UUID
    category: CaseCategory = Field(sa_type=_code(32))
    subject: str = Field(max_length=200)
    description: str = Field(sa_type=Text)


class Case(CaseBase, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_account_opened", "account_id", "opened_at"),
        Index("ix_cases_category_opened", "category", "opened_at"),
        # The queue: open cases by their next SLA due time (NULLs — paused or met — last).
        Index("ix_cases_status_sla_due", "status", "sla_due_at"),
        # The queue's page order across all open statuses (a LIMIT-bounded index read).
        Index("ix_cases_queue_order", "sla_due_at", "opened_at"),
        Index("ix_cases_assignee_status", "assignee_id", "status"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    account_id: UUID  # the reporter
    # The owner when the license belonged to an organization: its members see the case unless
    # the reporter made it private.
    organization_id: UUID | None = Field(default=None, index=True)
    private: bool = False
    product: str = Field(max_length=64)
    severity: CaseSeverity = Field(default="normal", sa_type=_code(16))
    product_version: str | None = Field(default=None, max_length=64)
    # What the customer runs it on: os, database, app_server, notes (all optional strings).
    environment: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    status: CaseStatus = Field(default="new", sa_type=_code(32))
    assignee_id: UUID | None = None
    # SLA clocks: when the customer asked, when staff first answered, when it was settled.
    opened_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    first_response_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    first_response_due_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    resolution_due_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    # Business time spent waiting on the customer (added to the resolution target), and since
    # when the clock stands still now (NULL while it runs).
    sla_paused_seconds: int = 0
    sla_paused_since: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    # The next due time the queue sorts by: first response until answered, then resolution;
    # NULL while paused or settled.
    sla_due_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    # The due time whose breach was announced: each due time is announced once, and a new one
    # (after the first response, a severity change or a pause) can be announced again.
    sla_breach_announced_for: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))


class CaseMessage(Base, table=True):
    __tablename__ = "case_messages"
    __table_args__ = (Index("ix_case_messages_case_created", "case_id", "created_at"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    case_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False))
    author_id: UUID
    by_staff: bool
    # Internal notes are between staff; customers never see them.
    internal: bool = False
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class CaseChange(Base, table=True):
    """The history of a case: every status move, assignment and severity change."""

    __tablename__ = "case_changes"
    __table_args__ = (Index("ix_case_changes_case_at", "case_id", "at"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    case_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False))
    kind: ChangeKind = Field(sa_type=_code(16))
    old_value: str | None = Field(default=None, max_length=64)
    new_value: str | None = Field(default=None, max_length=64)
    actor_id: UUID | None = None  # NULL: the system (auto-close)
    reason: TransitionReason = Field(sa_type=_code(16))
    at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class StaffMember(Base, table=True):
    """Staff who used the desk, with the roles their last token carried (assignment picks from
    them; identity publishes no roles, and a service may not call it)."""

    __tablename__ = "staff_members"

    user_id: UUID = Field(primary_key=True)
    roles: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    email: str | None = None
    seen_at: datetime = Field(sa_column=timestamp_column())


class Holding(Base, HoldingRecord, table=True):
    """One bound license, projected from licensing's events (last writer wins by `as_of`)."""

    __tablename__ = "holdings"
    __table_args__ = (Index("ix_holdings_account", "account_id"),)

    # Cases kept the serial from its first row on, and its views name every license by it.
    serial: str = Field(max_length=64)


class Person(Base, table=True):
    """Name and address of a user, projected from identity's events (for staff views)."""

    __tablename__ = "people"
    # The support mailbox finds the sender's account by address, whatever its case.
    __table_args__ = (Index("ix_people_email_lower", func.lower(text("email"))),)

    user_id: UUID = Field(primary_key=True)
    email: str
    name: str
    locale: str = Field(max_length=8)
    as_of: datetime = Field(sa_column=timestamp_column())


class Membership(Base, MembershipRecord, table=True):
    """Which organization each account belongs to, kept by shared.memberships from identity's events."""

    __tablename__ = "memberships"


# The projections' tables, for shared.holdings and shared.memberships (which keep them true to
# licensing's and identity's events).
HOLDINGS = Base.metadata.tables[Holding.__tablename__]
MEMBERSHIPS = Base.metadata.tables[Membership.__tablename__]


# Hits of the posting limits (limits.py), in the schema every service's limiter shares.
RATE_EVENTS = rate_events_table(Base.metadata)


class CaseAttachment(Base, table=True):
    """A file on a case. Bytes live in object storage; this row says what, whose and which hash.

    `completed_at` is NULL until the uploader says the upload finished and the service has
    checked the object (size, SHA-256); unfinished uploads are removed by the sweep."""

    __tablename__ = "case_attachments"
    __table_args__ = (Index("ix_case_attachments_case_created", "case_id", "created_at"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    case_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False))
    object_key: str = Field(max_length=200, unique=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int = Field(sa_type=BigInteger)
    sha256: str | None = Field(default=None, max_length=64)
    uploader_id: UUID
    by_staff: bool
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    completed_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))


class Partner(Base, table=True):
    """A local professional-services partner (installation, migration, custom work), kept by
    admins so engineers can point customers to someone in their region for their product."""

    __tablename__ = "partners"
    __table_args__ = (Index("ix_partners_region", "region"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    name: str = Field(max_length=200)
    region: str = Field(max_length=2)  # ISO 3166 alpha-2, e.g. TW
    contact: str = Field(max_length=500)
    products: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


# The support mailbox's tables (services/cases/mailbox/models.py) share this registry, so this
# metadata is the whole cases database as its migrations build it. Imported last: they need Base.
from services.cases.mailbox import models as _mailbox_tables  # noqa: E402, F401 - registers tables
