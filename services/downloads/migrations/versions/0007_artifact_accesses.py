"""Downloads counted from the object store's GET notifications, matched to grants.

Grants keep the object key and expiry of their URL; existing grants have neither and are
never matched (they predate counting).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("download_audit", sa.Column("object_key", sa.String(), nullable=True))
    op.add_column("download_audit", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_download_audit_object_key_at", "download_audit", ["object_key", "at"])
    op.create_table(
        "artifact_accesses",
        sa.Column("access_id", sa.String(128), primary_key=True),
        sa.Column("object_key", sa.String(), nullable=False),
        sa.Column("accessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_address", sa.String(), nullable=False),
        sa.Column("bytes_sent", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("grant_id", sa.Uuid(), sa.ForeignKey("download_audit.id", ondelete="SET NULL"), nullable=True),
    )
    op.create_index("ix_artifact_accesses_accessed_at", "artifact_accesses", ["accessed_at"])
    op.create_index("ix_artifact_accesses_grant_id", "artifact_accesses", ["grant_id"])


def downgrade() -> None:
    op.drop_table("artifact_accesses")
    op.drop_index("ix_download_audit_object_key_at", "download_audit")
    op.drop_column("download_audit", "expires_at")
    op.drop_column("download_audit", "object_key")
