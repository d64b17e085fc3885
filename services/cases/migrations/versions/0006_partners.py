"""Partner directory: local professional-services partners by region and product.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("contact", sa.String(500), nullable=False),
        sa.Column("products", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_partners_region", "partners", ["region"])


def downgrade() -> None:
    op.drop_index("ix_partners_region", table_name="partners")
    op.drop_table("partners")
