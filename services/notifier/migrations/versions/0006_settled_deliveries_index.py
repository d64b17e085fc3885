"""The ops listing's index covers settled deliveries only (sent or given up), not pending ones.

With pending rows in it, the sender's claim (due pending rows in `next_attempt_at` order) could
be planned on this index whenever the statistics still showed few pending rows (right after a
release fan-out queued thousands): every claim of 100 then read and sorted *all* pending rows
(40 ms of PostgreSQL CPU per claim at 8,000 pending, on disk). Left with the partial due index
only, the claim reads its rows in order and stops after the batch. Pending rows also no longer
get an entry here when queued, one index insertion less per mail. The ops listing of all
statuses at once reads the table instead (it is an occasional look, not a hot path).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_delivery_status_created", table_name="delivery")
    op.create_index(
        "ix_delivery_settled_created",
        "delivery",
        ["status", "created_at"],
        postgresql_where=sa.text("status <> 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_delivery_settled_created", table_name="delivery")
    op.create_index("ix_delivery_status_created", "delivery", ["status", "created_at"])
