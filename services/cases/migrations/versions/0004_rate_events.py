"""Posting limits: the rate_events table every service's limiter shares (shared/ratelimit.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

from shared.ratelimit import TABLE, create_rate_events_table

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_rate_events_table()


def downgrade() -> None:
    op.drop_table(TABLE)
