"""Organizations: the owning organization on each holding and case (and whether the reporter
made a case private), and the memberships projection
(which organization each account belongs to, from identity's events).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from shared.memberships import add_holding_owner, create_memberships_table, drop_organization_tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_holding_owner("holdings")
    create_memberships_table()
    op.add_column("cases", sa.Column("organization_id", sa.Uuid(), nullable=True))
    op.create_index("ix_cases_organization_id", "cases", ["organization_id"])
    # Existing cases are personal and shared with nobody else.
    op.add_column("cases", sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("cases", "private")
    op.drop_index("ix_cases_organization_id", "cases")
    op.drop_column("cases", "organization_id")
    drop_organization_tables("holdings")
