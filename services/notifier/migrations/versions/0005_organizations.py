"""Organizations: the owning organization on each holding, and the memberships projection
(which organization each account belongs to, from identity's events).

Revision ID: 0005
Revises: 0004
"""

from shared.memberships import add_holding_owner, create_memberships_table, drop_organization_tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_holding_owner("holding")
    create_memberships_table()


def downgrade() -> None:
    drop_organization_tables("holding")
