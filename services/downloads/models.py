"""Tables of the downloads service: the release catalog, the entitlement projection, the audit.

Its own SQLModel registry keeps these tables apart from other services' in one process.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared import clock
from shared.holdings import HoldingRecord


def utcnow() -> datetime:
    return clock.now()


class Base(SQLModel, registry=registry()):
    pass


class ReleaseBase(Base):
    product: str = Field(max_length=64, index=True)
    version: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    title: str
    notes: str = ""
    published_on: date


class Release(ReleaseBase, table=True):
    __tablename__ = "releases"

    release_id: UUID = Field(primary_key=True)
    # The event's `translations` as given: {locale: {"title", "notes"}}; `title` and `notes`
    # above stay the English text every missing language falls back to.
    translations: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class ArtifactBase(Base):
    filename: str = Field(max_length=255)
    object_key: str
    size: int = Field(sa_type=BigInteger)
    sha256: str = Field(max_length=64)
    content_type: str = "application/octet-stream"


class ReleaseArtifact(ArtifactBase, table=True):
    __tablename__ = "artifacts"

    release_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("releases.release_id", ondelete="CASCADE"), primary_key=True)
    )
    filename: str = Field(primary_key=True, max_length=255)


class Holding(Base, HoldingRecord, table=True):
    """One bound license as entitlements see it, projected from licensing's events."""

    __tablename__ = "holdings"
    __table_args__ = (Index("ix_holdings_account_product", "account_id", "product"),)


class DownloadAudit(Base, table=True):
    __tablename__ = "download_audit"
    __table_args__ = (Index("ix_download_audit_account_at", "account_id", "at"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    account_id: UUID
    release_id: UUID = Field(index=True)
    filename: str
    client_address: str
    at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


# The projection's table, for shared.holdings (which keeps it true to licensing's events).
HOLDINGS = Base.metadata.tables[Holding.__tablename__]
