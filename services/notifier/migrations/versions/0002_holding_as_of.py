"""Holdings follow shared.holdings: a void flag and the time of the event that wrote the row.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("holding", sa.Column("void", sa.Boolean(), nullable=False, server_default=sa.text("false")))
    op.add_column(
        "holding",
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("'epoch'")),
    )


def downgrade() -> None:
    op.drop_column("holding", "as_of")
    op.drop_column("holding", "void")
