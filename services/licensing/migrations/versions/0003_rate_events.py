"""Failed lookups move to the rate_events table every service's limiter shares
(shared/ratelimit.py); recent failures are carried over so a running attack stays limited.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.ratelimit import TABLE, create_rate_events_table

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_rate_events_table()
    for column, kind in (("account_id::text", "account"), ("client_address", "address")):
        op.execute(
            f"INSERT INTO rate_events (key, at) SELECT 'lookup-miss:{kind}:' || {column}, at "
            "FROM lookup_failure WHERE at > now() - interval '1 day'"
        )
    op.drop_table("lookup_failure")


def downgrade() -> None:
    op.create_table(
        "lookup_failure",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("account_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("client_address", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_lookup_failure_account_at", "lookup_failure", ["account_id", "at"])
    op.create_index("ix_lookup_failure_address_at", "lookup_failure", ["client_address", "at"])
    op.drop_table(TABLE)
