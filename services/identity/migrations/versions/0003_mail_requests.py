"""Queue of 'forgot password' and 'resend verification' requests, handled after the answer.

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

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mail_requests",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("processed_at", TS),
    )
    # The worker looks only at what is pending.
    op.create_index(
        "ix_mail_requests_pending", "mail_requests", ["id"], postgresql_where=sa.text("processed_at IS NULL")
    )


def downgrade() -> None:
    op.drop_table("mail_requests")
