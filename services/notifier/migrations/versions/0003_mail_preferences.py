"""Mail preferences per account, renewal reminders queued, and the serial in holdings.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("holding", sa.Column("serial", sa.Text(), nullable=True))
    op.create_table(
        "mail_preference",
        sa.Column("account_id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("release_product", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("release_update", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("release_document", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("renewal_reminder", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.text("now()")),
    )
    op.create_table(
        "renewal_reminder",
        sa.Column("license_id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("coverage_end", sa.Date, primary_key=True),
        sa.Column("days_before", sa.Integer, primary_key=True),
        sa.Column("account_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("queued_at", TZ, nullable=False, server_default=sa.text("now()")),
    )
    # One definition of "does this account want this topic", used inside the set-wise queries
    # (release fan-out, renewal pass): no row means the default, on. SQL functions are inlined.
    op.execute(
        """
        CREATE FUNCTION receives_mail(account uuid, topic text) RETURNS boolean
        LANGUAGE sql STABLE AS $$
            SELECT COALESCE((
                SELECT CASE topic
                    WHEN 'release.product' THEN p.release_product
                    WHEN 'release.update' THEN p.release_update
                    WHEN 'release.document' THEN p.release_document
                    WHEN 'renewal' THEN p.renewal_reminder
                END
                FROM mail_preference p WHERE p.account_id = account), true)
        $$
        """
    )
    # The reminder pass scans holdings by coverage end.
    op.create_index("ix_holding_coverage_end", "holding", ["coverage_end"])


def downgrade() -> None:
    op.drop_index("ix_holding_coverage_end", table_name="holding")
    op.execute("DROP FUNCTION receives_mail(uuid, text)")
    op.drop_table("renewal_reminder")
    op.drop_table("mail_preference")
    op.drop_column("holding", "serial")
