"""Licenses, contracts, verified accounts, lookup failures, audit, signing keys.

Revision ID: 0001
Revises:
Create Date: 2025-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "license",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("serial", sa.String(40), nullable=False, unique=True),
        sa.Column("product", sa.String(40), nullable=False),
        sa.Column("edition", sa.String(80), nullable=False),
        sa.Column("seats", sa.Integer, nullable=False),
        sa.Column("purchased_on", sa.Date, nullable=False),
        sa.Column("warranty_ends", sa.Date, nullable=False),
        sa.Column("registration_hash", sa.String(64), nullable=False),
        sa.Column("customer_ref", sa.String(120), nullable=True),
        sa.Column("account_id", UUID, nullable=True),
        sa.Column("bound_at", TZ, nullable=True),
        sa.Column("voided_at", TZ, nullable=True),
        sa.Column("void_reason", sa.String, nullable=True),
        sa.Column("issued_at", TZ, nullable=False),
        sa.CheckConstraint("seats >= 1", name="ck_license_seats"),
        sa.CheckConstraint("warranty_ends > purchased_on", name="ck_license_warranty"),
    )
    op.create_index("ix_license_account_id", "license", ["account_id"])
    op.create_index("ix_license_product", "license", ["product"])
    op.create_table(
        "contract",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("license_id", UUID, sa.ForeignKey("license.id"), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("registration_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("bound_at", TZ, nullable=True),
        sa.Column("voided_at", TZ, nullable=True),
        sa.Column("void_reason", sa.String, nullable=True),
        sa.Column("issued_at", TZ, nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_contract_period"),
    )
    op.create_index("ix_contract_license_id", "contract", ["license_id"])
    op.create_table(
        "verified_account",
        sa.Column("account_id", UUID, primary_key=True),
        sa.Column("email", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("locale", sa.String, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("verified_at", TZ, nullable=False),
    )
    op.create_table(
        "lookup_failure",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("account_id", UUID, nullable=False),
        sa.Column("client_address", sa.Text, nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_index("ix_lookup_failure_account_at", "lookup_failure", ["account_id", "at"])
    op.create_index("ix_lookup_failure_address_at", "lookup_failure", ["client_address", "at"])
    op.create_table(
        "audit",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor_id", UUID, nullable=False),
        sa.Column("action", sa.String, nullable=False),
        sa.Column("target", sa.String, nullable=False),
        sa.Column("reason", sa.String, nullable=False),
        sa.Column("details", postgresql.JSONB, nullable=False),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_target", "audit", ["target"])
    op.create_table(
        "signing_key",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("public_key", sa.LargeBinary, nullable=False),
        sa.Column("wrapped_private_key", sa.LargeBinary, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in ("signing_key", "audit", "lookup_failure", "verified_account", "contract", "license"):
        op.drop_table(table)
    drop_messaging_tables()
