"""Release catalog, entitlement projection and download audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "releases",
        sa.Column("release_id", sa.Uuid, primary_key=True),
        sa.Column("product", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("published_on", sa.Date, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_releases_product", "releases", ["product"])
    op.create_table(
        "artifacts",
        sa.Column(
            "release_id",
            sa.Uuid,
            sa.ForeignKey("releases.release_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("filename", sa.String(255), primary_key=True),
        sa.Column("object_key", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
    )
    op.create_table(
        "holdings",
        sa.Column("license_id", sa.Uuid, primary_key=True),
        sa.Column("account_id", sa.Uuid, nullable=False),
        sa.Column("product", sa.String(64), nullable=False),
        sa.Column("coverage_start", sa.Date, nullable=False),
        sa.Column("coverage_end", sa.Date, nullable=False),
        sa.Column("void", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_holdings_account_product", "holdings", ["account_id", "product"])
    op.create_table(
        "download_audit",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("account_id", sa.Uuid, nullable=False),
        sa.Column("release_id", sa.Uuid, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("client_address", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_download_audit_account_at", "download_audit", ["account_id", "at"])
    op.create_index("ix_download_audit_release_id", "download_audit", ["release_id"])


def downgrade() -> None:
    op.drop_table("download_audit")
    op.drop_table("holdings")
    op.drop_table("artifacts")
    op.drop_table("releases")
    drop_messaging_tables()
