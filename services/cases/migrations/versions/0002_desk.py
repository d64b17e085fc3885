"""The support desk: severity, version and environment, assignee, workflow states, SLA clocks,
case history and the staff directory.

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


def _timestamp(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("cases", sa.Column("severity", sa.String(16), nullable=False, server_default="normal"))
    op.add_column("cases", sa.Column("product_version", sa.String(64), nullable=True))
    op.add_column(
        "cases",
        sa.Column("environment", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    op.add_column("cases", sa.Column("assignee_id", sa.Uuid, nullable=True))
    for name in (
        "closed_at",
        "first_response_due_at",
        "resolution_due_at",
        "sla_paused_since",
        "sla_due_at",
        "sla_breach_announced_for",
    ):
        op.add_column("cases", _timestamp(name))
    op.add_column("cases", sa.Column("sla_paused_seconds", sa.Integer, nullable=False, server_default="0"))
    # The old states map onto the workflow; cases opened before SLAs existed carry no due times.
    op.execute(
        "UPDATE cases SET status = CASE "
        "WHEN status = 'open' AND first_response_at IS NULL THEN 'new' "
        "WHEN status IN ('open', 'waiting_on_support') THEN 'in_progress' ELSE status END"
    )
    op.execute("UPDATE cases SET closed_at = resolved_at WHERE status = 'closed'")
    op.create_index("ix_cases_status_sla_due", "cases", ["status", "sla_due_at"])
    op.create_index("ix_cases_assignee_status", "cases", ["assignee_id", "status"])
    op.create_table(
        "case_changes",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("old_value", sa.String(64), nullable=True),
        sa.Column("new_value", sa.String(64), nullable=True),
        sa.Column("actor_id", sa.Uuid, nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        _timestamp("at", nullable=False),
    )
    op.create_index("ix_case_changes_case_at", "case_changes", ["case_id", "at"])
    op.create_table(
        "staff_members",
        sa.Column("user_id", sa.Uuid, primary_key=True),
        sa.Column("roles", postgresql.ARRAY(sa.Text), nullable=False),
        sa.Column("email", sa.String, nullable=True),
        _timestamp("seen_at", nullable=False),
    )


def downgrade() -> None:
    op.drop_table("staff_members")
    op.drop_table("case_changes")
    op.drop_index("ix_cases_assignee_status", "cases")
    op.drop_index("ix_cases_status_sla_due", "cases")
    op.execute(
        "UPDATE cases SET status = CASE WHEN status IN ('new', 'in_progress') THEN 'open' ELSE status END"
    )
    for name in (
        "sla_breach_announced_for",
        "sla_paused_seconds",
        "sla_due_at",
        "sla_paused_since",
        "resolution_due_at",
        "first_response_due_at",
        "closed_at",
        "assignee_id",
        "environment",
        "product_version",
        "severity",
    ):
        op.drop_column("cases", name)
