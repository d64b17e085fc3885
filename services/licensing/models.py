"""Licensing tables, in the service's own SQLModel registry."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

import sqlalchemy
from sqlalchemy import Column, DateTime, Index
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared import clock
from shared.audit import AuditRecord
from shared.dates import BusinessDate
from shared.keystore import SigningKeyRecord
from shared.memberships import MembershipRecord
from shared.ratelimit import rate_events_table


class Base(SQLModel, registry=registry()):
    pass


def utcnow() -> datetime:
    return clock.now()


class LicenseBase(Base):
    """A license's terms as sold: the table, issuance and every view of a license share them."""

    product: str = Field(min_length=1, max_length=40, schema_extra={"examples": ["OMFLOW"]})
    edition: str = Field(min_length=1, max_length=80, schema_extra={"examples": ["Enterprise"]})
    seats: int = Field(ge=1, le=1_000_000)
    purchased_on: BusinessDate
    warranty_ends: BusinessDate


class License(LicenseBase, table=True):
    __tablename__ = "license"
    __table_args__ = (
        Index("ix_license_account_id", "account_id"),
        Index("ix_license_product", "product"),
        Index("ix_license_organization_id", "organization_id"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    serial: str = Field(max_length=40, unique=True)
    registration_hash: str = Field(max_length=64)
    customer_ref: str | None = Field(default=None, max_length=120)
    account_id: UUID | None = None  # who bound it
    # The owner when the binder belonged to an organization (else the account alone owns it).
    organization_id: UUID | None = None
    bound_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    voided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    void_reason: str | None = None
    issued_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class ContractBase(Base):
    """A maintenance contract's days: the table, issuance and every view of a contract share them."""

    starts_on: BusinessDate
    ends_on: BusinessDate


class Contract(ContractBase, table=True):
    __tablename__ = "contract"
    __table_args__ = (Index("ix_contract_license_id", "license_id"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    license_id: UUID = Field(foreign_key="license.id")
    registration_hash: str = Field(max_length=64, unique=True)
    bound_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    voided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    void_reason: str | None = None
    issued_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class VerifiedAccount(Base, table=True):
    """What licensing knows of a verified account (from identity's events): who may bind,
    and the licensee printed in license files."""

    __tablename__ = "verified_account"

    account_id: UUID = Field(primary_key=True)
    email: str
    name: str
    locale: str = "en"
    disabled: bool = False
    verified_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


# Failed serial/registration lookups, counted by the limit in the schema every service's
# limiter shares (shared/ratelimit.py).
RATE_EVENTS = rate_events_table(Base.metadata)


class Membership(Base, MembershipRecord, table=True):
    """Which organization each account belongs to, kept by shared.memberships from identity's events."""

    __tablename__ = "memberships"


MEMBERSHIPS = Base.metadata.tables[Membership.__tablename__]


class OrganizationName(Base, table=True):
    """An organization's current name (from identity's membership and rename events): the
    licensee printed in the files of its licenses. Last writer wins by event time (`as_of`)."""

    __tablename__ = "organization_name"

    organization_id: UUID = Field(primary_key=True)
    name: str
    as_of: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class AuditAction(StrEnum):
    """What the back office did, as the audit listing names it: `<object>.<verb>`."""

    LICENSE_ISSUE = "license.issue"
    LICENSE_VOID = "license.void"
    LICENSE_RESTORE = "license.restore"
    LICENSE_MOVE = "license.move"
    CONTRACT_ISSUE = "contract.issue"
    CONTRACT_VOID = "contract.void"
    CONTRACT_RESTORE = "contract.restore"
    LICENSES_IMPORT = "licenses.import"


def _values(kinds: type[StrEnum]) -> list[str]:
    """Store an enumeration by its values (`license.void`), not by its member names."""
    return [kind.value for kind in kinds]


class AuditEntry(Base, AuditRecord, table=True):
    """Who did what to which license or contract, when, and why (back-office actions)."""

    __tablename__ = "audit"

    # The shared VARCHAR(40) column, read back as the enumeration (no CHECK: no schema change).
    action: AuditAction = Field(
        sa_type=sqlalchemy.Enum(AuditAction, native_enum=False, values_callable=_values, length=40)
    )


class SigningKey(Base, SigningKeyRecord, table=True):
    """The keys that sign license files (shared.keystore)."""

    __tablename__ = "signing_keys"
