"""The audit table takes the shape every service shares (shared/audit.py): who acted gets its own
`actor_email` column (it was a key inside `details`), an action by a command line or a job has no
actor id (it was the nil UUID), and the text columns get the shared bounds. Every row is kept.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NIL = "00000000-0000-0000-0000-000000000000"


def upgrade() -> None:
    op.add_column(
        "audit", sa.Column("actor_email", sa.String(320), nullable=False, server_default="system")
    )
    op.alter_column("audit", "actor_email", server_default=None)
    op.execute(
        "UPDATE audit SET actor_email = left(details->>'actor_email', 320), "
        "details = details - 'actor_email' WHERE details ? 'actor_email'"
    )
    op.alter_column("audit", "actor_id", nullable=True)
    op.execute(f"UPDATE audit SET actor_id = NULL WHERE actor_id = '{NIL}'")
    for column, length in (("action", 40), ("target", 200), ("reason", 500)):
        op.alter_column(
            "audit",
            column,
            type_=sa.String(length),
            postgresql_using=f"left({column}, {length})",
        )


def downgrade() -> None:
    for column in ("action", "target", "reason"):
        op.alter_column("audit", column, type_=sa.String)
    op.execute(f"UPDATE audit SET actor_id = '{NIL}' WHERE actor_id IS NULL")
    op.alter_column("audit", "actor_id", nullable=False)
    op.execute(
        "UPDATE audit SET details = details || jsonb_build_object('actor_email', actor_email) "
        "WHERE actor_email <> 'system'"
    )
    op.drop_column("audit", "actor_email")
