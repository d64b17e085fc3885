"""Organizations: a license's owning organization (set when a member binds it), and the
memberships projection (which organization each account belongs to, from identity's events).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from shared.memberships import MEMBERSHIPS, create_memberships_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("license", sa.Column("organization_id", sa.Uuid(), nullable=True))
    op.create_index("ix_license_organization_id", "license", ["organization_id"])
    create_memberships_table()


def downgrade() -> None:
    op.drop_table(MEMBERSHIPS)
    op.drop_index("ix_license_organization_id", "license")
    op.drop_column("license", "organization_id")
