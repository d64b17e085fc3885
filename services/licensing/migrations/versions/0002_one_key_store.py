"""Signing keys in the shared key store's shape (shared.keystore): `signing_keys` with kid,
sealed private key and a retirement time instead of an `active` flag.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.rename_table("signing_key", "signing_keys")
    op.alter_column("signing_keys", "key_id", new_column_name="kid", type_=sa.String(64))
    op.alter_column("signing_keys", "wrapped_private_key", new_column_name="sealed_private_key")
    op.add_column("signing_keys", sa.Column("retires_at", sa.DateTime(timezone=True)))
    # An inactive key still verified the files it signed: keep it published for ten years.
    op.execute("UPDATE signing_keys SET retires_at = now() + interval '10 years' WHERE NOT active")
    op.drop_column("signing_keys", "active")


def downgrade() -> None:
    op.add_column("signing_keys", sa.Column("active", sa.Boolean, server_default=sa.true(), nullable=False))
    op.execute("UPDATE signing_keys SET active = retires_at IS NULL")
    op.drop_column("signing_keys", "retires_at")
    op.alter_column("signing_keys", "sealed_private_key", new_column_name="wrapped_private_key")
    op.alter_column("signing_keys", "kid", new_column_name="key_id", type_=sa.String(32))
    op.rename_table("signing_keys", "signing_key")
