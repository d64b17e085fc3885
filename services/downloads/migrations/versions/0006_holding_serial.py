"""Holdings keep the license's serial, like every service's copy of the projection.

Existing rows have none until their license's next event.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("holdings", sa.Column("serial", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("holdings", "serial")
