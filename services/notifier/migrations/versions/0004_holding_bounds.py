"""Holdings take the shape every service's copy of the projection has: product and serial of
at most 64 characters, as licensing issues them (existing values are kept as they are).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("holding", "product", type_=sa.String(64), existing_type=sa.Text(), existing_nullable=False)
    op.alter_column("holding", "serial", type_=sa.String(64), existing_type=sa.Text(), existing_nullable=True)


def downgrade() -> None:
    op.alter_column("holding", "serial", type_=sa.Text(), existing_type=sa.String(64), existing_nullable=True)
    op.alter_column("holding", "product", type_=sa.Text(), existing_type=sa.String(64), existing_nullable=False)
