"""Ed25519 signing keys: created on first start, rotated by the CLI, published as a JWKS.

Private keys are stored encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from
`settings.secret_key`, with the kid as associated data, so a copy of the database alone cannot
sign tokens. The newest key without `retires_at` signs; a rotated-out key keeps verifying (it
stays in the JWKS) until `retires_at`, so rotation logs nobody out.
"""

import base64
import hashlib
import json
import os
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import text
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.models import SigningKey
from shared.auth import ALGORITHM

_NONCE_BYTES = 12


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _wrapping_key(secret_key: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"identity signing keys v1").derive(
        secret_key.encode()
    )
    return AESGCM(derived)


def new_signing_key(secret_key: str, now: datetime) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    x = _b64url(private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    # kid = RFC 7638 thumbprint: derived from the key, so it can never name two different keys.
    thumbprint = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
    kid = _b64url(hashlib.sha256(thumbprint.encode()).digest())
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    nonce = os.urandom(_NONCE_BYTES)
    sealed = nonce + _wrapping_key(secret_key).encrypt(nonce, raw, kid.encode())
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig", "alg": ALGORITHM}
    return SigningKey(kid=kid, public_jwk=jwk, private_key_encrypted=sealed, created_at=now)


def private_key_of(key: SigningKey, secret_key: str) -> Ed25519PrivateKey:
    sealed = key.private_key_encrypted
    raw = _wrapping_key(secret_key).decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], key.kid.encode())
    return Ed25519PrivateKey.from_private_bytes(raw)


async def active_key(session: AsyncSession) -> SigningKey | None:
    query = (
        select(SigningKey)
        .where(col(SigningKey.retires_at).is_(None))
        .order_by(col(SigningKey.created_at).desc())
    )
    return (await session.exec(query.limit(1))).first()


async def published_keys(session: AsyncSession, now: datetime) -> list[SigningKey]:
    query = (
        select(SigningKey)
        .where(or_(col(SigningKey.retires_at).is_(None), col(SigningKey.retires_at) > now))
        .order_by(col(SigningKey.created_at).desc())
    )
    return list((await session.exec(query)).all())


def jwks_of(keys: list[SigningKey]) -> dict[str, Any]:
    return {"keys": [key.public_jwk for key in keys]}


async def _serialize_key_changes(session: AsyncSession) -> None:
    # Replicas starting together, or a rotation during a start, must not make two active keys.
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('identity.signing_keys'))"))


async def ensure_active_key(session: AsyncSession, secret_key: str, now: datetime) -> SigningKey:
    await _serialize_key_changes(session)
    key = await active_key(session)
    if key is None:
        key = new_signing_key(secret_key, now)
        session.add(key)
        await session.flush()
    return key


async def rotate(
    session: AsyncSession, secret_key: str, now: datetime, retire_after: timedelta
) -> SigningKey:
    """A new signing key; the previous ones keep verifying for `retire_after`."""
    await _serialize_key_changes(session)
    for old in (await session.exec(select(SigningKey).where(col(SigningKey.retires_at).is_(None)))).all():
        old.retires_at = now + retire_after
        session.add(old)
    key = new_signing_key(secret_key, now)
    session.add(key)
    await session.flush()
    return key
