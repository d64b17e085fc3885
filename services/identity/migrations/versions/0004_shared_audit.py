"""The audit trail takes the shape every service shares (shared.audit): `audit_log` becomes
`audit`, and the target user's id becomes the text column `target`. Existing rows are kept.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in (
        "ALTER TABLE audit_log RENAME TO audit",
        "ALTER INDEX audit_log_pkey RENAME TO audit_pkey",
        "ALTER INDEX ix_audit_log_at RENAME TO ix_audit_at",
        "ALTER TABLE audit RENAME COLUMN target_user_id TO target",
        # Every identity audit line names a user; '' would stand for none.
        "ALTER TABLE audit ALTER COLUMN target TYPE varchar(200) USING coalesce(target::text, '')",
        "ALTER TABLE audit ALTER COLUMN target SET NOT NULL",
        "ALTER INDEX ix_audit_log_target_user_id RENAME TO ix_audit_target",
    ):
        op.execute(statement)


def downgrade() -> None:
    for statement in (
        "ALTER INDEX ix_audit_target RENAME TO ix_audit_log_target_user_id",
        "ALTER TABLE audit ALTER COLUMN target DROP NOT NULL",
        "ALTER TABLE audit ALTER COLUMN target TYPE uuid USING nullif(target, '')::uuid",
        "ALTER TABLE audit RENAME COLUMN target TO target_user_id",
        "ALTER INDEX ix_audit_at RENAME TO ix_audit_log_at",
        "ALTER INDEX audit_pkey RENAME TO audit_log_pkey",
        "ALTER TABLE audit RENAME TO audit_log",
    ):
        op.execute(statement)
