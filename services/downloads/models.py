"""Tables of the downloads service: the release catalog, the entitlement projection, the audit.

Its own SQLModel registry keeps these tables apart from other services' in one process.
"""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared import clock
from shared.audit import AuditRecord
from shared.entitlements import ReleaseChannel, ReleaseKind
from shared.holdings import HoldingRecord
from shared.memberships import MembershipRecord

# A draft is seen by the release role only; published is in the catalogs; withdrawn is for good.
ReleaseState = Literal["draft", "published", "withdrawn"]
# An artifact upload: parts arriving, then verified (an artifact of the release) or rejected.
UploadState = Literal["uploading", "verified", "rejected"]


def utcnow() -> datetime:
    return clock.now()


class Base(SQLModel, registry=registry()):
    pass


class ReleaseBase(Base):
    product: str = Field(max_length=64, index=True)
    version: str = Field(max_length=64)
    kind: ReleaseKind = Field(sa_type=String(16))
    title: str
    notes: str = ""
    # Set by the first publish and kept by every correction (entitlements depend on it).
    published_on: date | None = None
    channel: ReleaseChannel = Field(default="stable", sa_type=String(16))


class Release(ReleaseBase, table=True):
    __tablename__ = "releases"

    release_id: UUID = Field(primary_key=True)
    # The event's `translations` as given: {locale: {"title", "notes"}}; `title` and `notes`
    # above stay the English text every missing language falls back to.
    translations: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    state: ReleaseState = Field(default="published", sa_type=String(16))
    # SHA-256 of the last ReleasePublished sent: publishing unchanged facts again sends nothing.
    published_digest: str | None = Field(default=None, max_length=64)
    # The published release this one replaces; publishing this one withdraws that one.
    corrects: UUID | None = None
    withdrawn_reason: str | None = None
    changed_by: UUID | None = None


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


class ArtifactUpload(Base, table=True):
    """A file on its way into a release: a MinIO multipart upload the client fills through
    presigned part URLs. Its object key is its own, so a file replacing another of the same
    name never overwrites bytes customers may be downloading before it is verified."""

    __tablename__ = "artifact_uploads"

    upload_id: UUID = Field(default_factory=uuid4, primary_key=True)
    release_id: UUID = Field(
        sa_column=Column(
            Uuid, ForeignKey("releases.release_id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    filename: str = Field(max_length=255)
    object_key: str
    storage_upload_id: str  # MinIO's multipart upload id
    size: int = Field(sa_type=BigInteger)
    sha256: str = Field(max_length=64)  # declared by the client, checked after completion
    content_type: str = "application/octet-stream"
    part_size: int = Field(sa_type=BigInteger)
    state: UploadState = Field(default="uploading", sa_type=String(16))
    created_by: UUID
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class ChannelChoice(Base, table=True):
    """Whether an account opted in to preview releases (on its preference page); no row: stable only."""

    __tablename__ = "channel_choices"

    account_id: UUID = Field(primary_key=True)
    preview: bool = False
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Holding(Base, HoldingRecord, table=True):
    """One bound license as entitlements see it, projected from licensing's events."""

    __tablename__ = "holdings"
    __table_args__ = (Index("ix_holdings_account_product", "account_id", "product"),)


class DownloadAudit(Base, table=True):
    """One grant: a presigned URL handed to an entitled customer (not yet a download)."""

    __tablename__ = "download_audit"
    __table_args__ = (
        Index("ix_download_audit_account_at", "account_id", "at"),
        Index("ix_download_audit_object_key_at", "object_key", "at"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    account_id: UUID
    release_id: UUID = Field(index=True)
    filename: str
    client_address: str
    at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    # What the URL opens and until when: the object store's GET notifications are matched to
    # grants by these (grants made before they were kept have none and stay unmatched).
    object_key: str | None = None
    expires_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class ArtifactAccess(Base, table=True):
    """One GET of an artifact that the object store finished serving (its notification)."""

    __tablename__ = "artifact_accesses"

    # "<node id>:<request id>" of the GET, unique per request: a redelivered one is recorded once.
    access_id: str = Field(primary_key=True, max_length=128)
    object_key: str
    accessed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    source_address: str = ""
    bytes_sent: int = Field(sa_type=BigInteger)
    # The whole object was sent (not a range of it): this is what counts as a download.
    complete: bool
    grant_id: UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("download_audit.id", ondelete="SET NULL"), index=True)
    )


class AuditEntry(Base, AuditRecord, table=True):
    """Who created, changed, published or withdrew which release, and why."""

    __tablename__ = "audit"


class Membership(Base, MembershipRecord, table=True):
    """Which organization each account belongs to, kept by shared.memberships from identity's events."""

    __tablename__ = "memberships"


# The projections' tables, for shared.holdings and shared.memberships (which keep them true to
# licensing's and identity's events).
HOLDINGS = Base.metadata.tables[Holding.__tablename__]
MEMBERSHIPS = Base.metadata.tables[Membership.__tablename__]
# Core views of the tables the grant reads and writes: Core statements skip the ORM's per-row
# bookkeeping on the service's hottest path (services.downloads.service.grant_download).
RELEASES = Base.metadata.tables[Release.__tablename__]
ARTIFACTS = Base.metadata.tables[ReleaseArtifact.__tablename__]
CHANNEL_CHOICES = Base.metadata.tables[ChannelChoice.__tablename__]
DOWNLOAD_AUDIT = Base.metadata.tables[DownloadAudit.__tablename__]
