"""Release titles and notes in the languages the release tool was given.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Releases recorded before have no translations: they read as English in every language.
    op.add_column(
        "releases",
        sa.Column("translations", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )


def downgrade() -> None:
    op.drop_column("releases", "translations")
