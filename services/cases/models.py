"""Tables of the cases service: cases, their messages, and projections of licenses and people.

Its own SQLModel registry keeps these tables apart from other services' in one process.
"""

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime, ForeignKey, Index, Text, Uuid, func, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared import clock


def utcnow() -> datetime:
    return clock.now()


def _timestamp(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=nullable)


class Base(SQLModel, registry=registry()):
    pass


class CaseBase(Base):
    license_id: UUID
    category: str = Field(max_length=32)
    subject: str = Field(max_length=200)
    description: str = Field(sa_type=Text)


class Case(CaseBase, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_account_opened", "account_id", "opened_at"),
        Index("ix_cases_category_opened", "category", "opened_at"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    account_id: UUID
    product: str = Field(max_length=64)
    status: str = Field(default="open", max_length=32)
    # SLA clocks: when the customer asked, when staff first answered, when it was settled.
    opened_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    first_response_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Holding(Base, table=True):
    """One bound license, projected from licensing's events (last writer wins by `as_of`)."""

    __tablename__ = "holdings"
    __table_args__ = (Index("ix_holdings_account", "account_id"),)

    license_id: UUID = Field(primary_key=True)
    account_id: UUID
    serial: str = Field(max_length=64)
    product: str = Field(max_length=64)
    coverage_start: date
    coverage_end: date
    void: bool = False
    as_of: datetime = Field(sa_column=_timestamp())


class Person(Base, table=True):
    """Name and address of a user, projected from identity's events (for staff views)."""

    __tablename__ = "people"
    # The support mailbox finds the sender's account by address, whatever its case.
    __table_args__ = (Index("ix_people_email_lower", func.lower(text("email"))),)

    user_id: UUID = Field(primary_key=True)
    email: str
    name: str
    locale: str = Field(max_length=8)
    as_of: datetime = Field(sa_column=_timestamp())


# The projection's table, for shared.holdings (which keeps it true to licensing's events).
HOLDINGS = Base.metadata.tables[Holding.__tablename__]


# The support mailbox's tables (services/cases/mailbox/models.py) share this registry, so this
# metadata is the whole cases database as its migrations build it. Imported last: they need Base.
from services.cases.mailbox import models as _mailbox_tables  # noqa: E402, F401 - registers tables
