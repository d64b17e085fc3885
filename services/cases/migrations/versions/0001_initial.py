"""Cases, messages, and the license and people projections.

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


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    create_messaging_tables()
    # Case numbers (C-2026-000123) count across years; the year part is when it was opened.
    op.execute("CREATE SEQUENCE case_number_seq")
    op.create_table(
        "cases",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
        sa.Column("account_id", sa.Uuid, nullable=False),
        sa.Column("license_id", sa.Uuid, nullable=False),
        sa.Column("product", sa.String(64), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        _timestamp("opened_at"),
        _timestamp("first_response_at", nullable=True),
        _timestamp("resolved_at", nullable=True),
        _timestamp("updated_at"),
    )
    op.create_index("ix_cases_account_opened", "cases", ["account_id", "opened_at"])
    op.create_index("ix_cases_category_opened", "cases", ["category", "opened_at"])
    op.create_table(
        "case_messages",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", sa.Uuid, nullable=False),
        sa.Column("by_staff", sa.Boolean, nullable=False),
        sa.Column("internal", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("body", sa.Text, nullable=False),
        _timestamp("created_at"),
    )
    op.create_index("ix_case_messages_case_created", "case_messages", ["case_id", "created_at"])
    op.create_table(
        "holdings",
        sa.Column("license_id", sa.Uuid, primary_key=True),
        sa.Column("account_id", sa.Uuid, nullable=False),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("product", sa.String(64), nullable=False),
        sa.Column("coverage_start", sa.Date, nullable=False),
        sa.Column("coverage_end", sa.Date, nullable=False),
        sa.Column("void", sa.Boolean, nullable=False, server_default=sa.false()),
        _timestamp("as_of"),
    )
    op.create_index("ix_holdings_account", "holdings", ["account_id"])
    op.create_table(
        "people",
        sa.Column("user_id", sa.Uuid, primary_key=True),
        sa.Column("email", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        _timestamp("as_of"),
    )


def downgrade() -> None:
    op.drop_table("people")
    op.drop_table("holdings")
    op.drop_table("case_messages")
    op.drop_table("cases")
    op.execute("DROP SEQUENCE case_number_seq")
    drop_messaging_tables()
