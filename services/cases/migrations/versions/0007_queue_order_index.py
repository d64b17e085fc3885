"""The desk queue's order as an index: open cases by next SLA due time, then opening time.

`ix_cases_status_sla_due (status, sla_due_at)` cannot return the queue's page in order across
its three open statuses, so each page was a scan of every open case and a sort.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_queue_order", "cases", ["sla_due_at", "opened_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_queue_order", table_name="cases")
