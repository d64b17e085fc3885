"""Support mailbox: inbound mails (stored raw before the SMTP 250, applied once by Message-ID)
and the auto-reply throttle. Mailed files become case attachments (0003).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "inbound_mail",
        sa.Column("id", sa.Uuid(), primary_key=True),
        # The idempotency key: an MTA retry or a re-sent copy carries the same Message-ID.
        sa.Column("message_id", sa.Text(), nullable=False, unique=True),
        sa.Column("envelope_from", sa.Text(), nullable=False),
        sa.Column("recipients", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("case_message_id", sa.Uuid(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _timestamp("received_at"),
        _timestamp("next_attempt_at"),
        _timestamp("processed_at", nullable=True),
    )
    op.create_index(
        "ix_inbound_mail_due",
        "inbound_mail",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_inbound_mail_case", "inbound_mail", ["case_id"])
    op.create_table(
        "mailbox_auto_reply",
        sa.Column("address", sa.Text(), primary_key=True),
        sa.Column("reason", sa.String(32), primary_key=True),
        _timestamp("sent_at"),
    )
    # The mailbox finds the sender's account by address, whatever its case.
    op.create_index("ix_people_email_lower", "people", [sa.text("lower(email)")])


def downgrade() -> None:
    op.drop_index("ix_people_email_lower", table_name="people")
    op.drop_table("mailbox_auto_reply")
    op.drop_table("inbound_mail")
