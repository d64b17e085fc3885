"""Tables of the notifier: the recipients projection and the deliveries (the mail queue).

The notifier has its own SQLModel registry so its tables never collide with another service's
in one Python process.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime, Index, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.holdings import HoldingRecord
from shared.memberships import MembershipRecord


class Base(SQLModel, registry=registry()):
    pass


class Recipient(Base, table=True):
    """What the notifier knows of a verified user (from identity's events)."""

    __tablename__ = "recipient"

    user_id: UUID = Field(primary_key=True)
    email: str
    name: str
    locale: str
    disabled: bool = False
    # Set once when the welcome mail is queued: one welcome per account, whatever is redelivered.
    welcomed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    updated_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )


class Holding(Base, HoldingRecord, table=True):
    """A license bound to an account with its coverage, kept by shared.holdings from
    licensing's events (last writer wins by `as_of`)."""

    __tablename__ = "holding"
    __table_args__ = (
        Index("ix_holding_account_id", "account_id"),
        Index("ix_holding_product", "product"),
        Index("ix_holding_coverage_end", "coverage_end"),
    )


class Membership(Base, MembershipRecord, table=True):
    """Which organization each account belongs to, kept by shared.memberships from identity's events."""

    __tablename__ = "memberships"


# The projections' tables, for shared.holdings and shared.memberships (which keep them true to
# licensing's and identity's events).
HOLDINGS = Base.metadata.tables[Holding.__tablename__]
MEMBERSHIPS = Base.metadata.tables[Membership.__tablename__]


class Delivery(Base, table=True):
    """One mail to one address for one event. Rendered at send time from `context`.

    `event_id` is the envelope id of the event that caused the mail, except for release
    announcements, where it is the release id (a corrected re-publish is not announced again).
    Rendering at send time keeps the release fan-out a set-wise INSERT … SELECT (no per-user
    rendering inside the consumer's transaction) and the rows small; the context is frozen at
    queue time, so what is said does not change, only template fixes apply to queued mail.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "email", "kind", name="uq_delivery_event_email_kind"),
        # The sender's claim query: due pending rows in order.
        Index("ix_delivery_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        # The ops listing of sent and given-up mail, newest first. Not of pending rows: the claim
        # must have no other index to plan on (migration 0006 says why).
        Index(
            "ix_delivery_settled_created",
            "status",
            "created_at",
            postgresql_where=text("status <> 'pending'"),
        ),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    event_id: UUID
    email: str
    kind: str
    locale: str
    context: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    status: str = "pending"  # pending | sent | failed
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class MailPreference(Base, table=True):
    """What an account chose to receive. No row means the defaults: every mail on.

    Account and case mails have no switch: they answer the customer's own actions and requests.
    """

    __tablename__ = "mail_preference"

    account_id: UUID = Field(primary_key=True)
    release_product: bool = True
    release_update: bool = True
    release_document: bool = True
    renewal_reminder: bool = True
    updated_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )


PREFERENCES = Base.metadata.tables[MailPreference.__tablename__]


class RenewalReminder(Base, table=True):
    """A renewal reminder queued for one coverage end of one license at one threshold.

    Keyed by the coverage end: a renewal moves the end, so the old end's reminders stop and the
    new end gets its own in due time.
    """

    __tablename__ = "renewal_reminder"

    license_id: UUID = Field(primary_key=True)
    coverage_end: date = Field(primary_key=True)
    days_before: int = Field(primary_key=True)
    account_id: UUID
    queued_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
