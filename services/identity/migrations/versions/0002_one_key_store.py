"""Signing keys in the shared key store's shape (shared.keystore): raw public key, sealed
private key; the JWK is derived from them when published.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

"""

import base64
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def upgrade() -> None:
    op.alter_column("signing_keys", "private_key_encrypted", new_column_name="sealed_private_key")
    op.add_column("signing_keys", sa.Column("public_key", sa.LargeBinary))
    connection = op.get_bind()
    for kid, jwk in connection.execute(sa.text("SELECT kid, public_jwk FROM signing_keys")).all():
        raw = _b64url_decode(jwk["x"])
        connection.execute(
            sa.text("UPDATE signing_keys SET public_key = :raw WHERE kid = :kid"), {"raw": raw, "kid": kid}
        )
    op.alter_column("signing_keys", "public_key", nullable=False)
    op.drop_column("signing_keys", "public_jwk")


def downgrade() -> None:
    op.add_column("signing_keys", sa.Column("public_jwk", postgresql.JSONB))
    connection = op.get_bind()
    for kid, raw in connection.execute(sa.text("SELECT kid, public_key FROM signing_keys")).all():
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig", "alg": "EdDSA"}
        connection.execute(
            sa.text("UPDATE signing_keys SET public_jwk = CAST(:jwk AS jsonb) WHERE kid = :kid"),
            {"jwk": json.dumps(jwk), "kid": kid},
        )
    op.alter_column("signing_keys", "public_jwk", nullable=False)
    op.drop_column("signing_keys", "public_key")
    op.alter_column("signing_keys", "sealed_private_key", new_column_name="private_key_encrypted")
