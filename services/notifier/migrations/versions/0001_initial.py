"""Recipients projection, holdings and deliveries (with a NOTIFY that wakes the sender).

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "recipient",
        sa.Column("user_id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("locale", sa.Text, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("welcomed_at", TZ),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "holding",
        sa.Column("license_id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("account_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("product", sa.Text, nullable=False),
        sa.Column("coverage_start", sa.Date, nullable=False),
        sa.Column("coverage_end", sa.Date, nullable=False),
    )
    op.create_index("ix_holding_account_id", "holding", ["account_id"])
    op.create_index("ix_holding_product", "holding", ["product"])
    op.create_table(
        "delivery",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("locale", sa.Text, nullable=False),
        sa.Column("context", postgresql.JSONB, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.Column("created_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", TZ),
        sa.UniqueConstraint("event_id", "email", "kind", name="uq_delivery_event_email_kind"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="ck_delivery_status"),
    )
    op.create_index(
        "ix_delivery_due", "delivery", ["next_attempt_at"], postgresql_where=sa.text("status = 'pending'")
    )
    op.create_index("ix_delivery_status_created", "delivery", ["status", "created_at"])
    # One NOTIFY per committing transaction, delivered on commit: the sender wakes only when the
    # consumer's transaction that queued the mail is durable.
    # (One statement per execute: asyncpg prepares each and refuses several in one.)
    op.execute(
        """
        CREATE FUNCTION delivery_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('delivery', ''); RETURN NULL; END $$
        """
    )
    op.execute(
        "CREATE TRIGGER delivery_notify AFTER INSERT ON delivery "
        "FOR EACH STATEMENT EXECUTE FUNCTION delivery_notify()"
    )


def downgrade() -> None:
    op.drop_table("delivery")
    op.execute("DROP FUNCTION IF EXISTS delivery_notify()")
    op.drop_table("holding")
    op.drop_table("recipient")
    drop_messaging_tables()
