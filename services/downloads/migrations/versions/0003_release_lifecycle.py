"""Releases managed by the downloads service: drafts, channels, withdrawal, multipart uploads.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Releases recorded so far were published by the release tool: stable and published.
    op.add_column("releases", sa.Column("state", sa.String(16), nullable=False, server_default="published"))
    op.add_column("releases", sa.Column("channel", sa.String(16), nullable=False, server_default="stable"))
    op.add_column("releases", sa.Column("published_digest", sa.String(64), nullable=True))
    op.add_column("releases", sa.Column("corrects", sa.Uuid, nullable=True))
    op.add_column("releases", sa.Column("withdrawn_reason", sa.Text, nullable=True))
    op.add_column("releases", sa.Column("changed_by", sa.Uuid, nullable=True))
    op.alter_column("releases", "published_on", existing_type=sa.Date, nullable=True)
    op.create_table(
        "artifact_uploads",
        sa.Column("upload_id", sa.Uuid, primary_key=True),
        sa.Column(
            "release_id",
            sa.Uuid,
            sa.ForeignKey("releases.release_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("object_key", sa.Text, nullable=False),
        sa.Column("storage_upload_id", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("part_size", sa.BigInteger, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Uuid, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_artifact_uploads_release_id", "artifact_uploads", ["release_id"])


def downgrade() -> None:
    op.drop_table("artifact_uploads")
    op.execute("DELETE FROM releases WHERE published_on IS NULL")
    op.alter_column("releases", "published_on", existing_type=sa.Date, nullable=False)
    for column in ("changed_by", "withdrawn_reason", "corrects", "published_digest", "channel", "state"):
        op.drop_column("releases", column)
