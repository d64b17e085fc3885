"""The license-file signing key: created on first start, stored wrapped in the database.

The private key never lies in the database in clear: it is sealed with AES-GCM under a key
derived (HKDF) from settings.secret_key, with the key id as associated data so a wrapped blob
cannot be swapped onto another row. Every replica derives the same wrapping key, so any of
them can sign; the first to start creates the key under an advisory lock.
"""

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing.license_file import key_id, public_pem
from services.licensing.models import SigningKey

_CREATE_LOCK = 0x4C49_4353_4947  # arbitrary, constant: "LICSIG"
_unwrapped: dict[str, Ed25519PrivateKey] = {}  # per-process cache: unwrapping on every file is waste


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    pem: str
    raw: bytes


def _wrapping_key(secret_key: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"support-portal/licensing", info=b"signing-key wrap"
    ).derive(secret_key.encode())


def wrap(private_key: Ed25519PrivateKey, kid: str, secret_key: str) -> bytes:
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    nonce = os.urandom(12)
    return nonce + AESGCM(_wrapping_key(secret_key)).encrypt(nonce, raw, kid.encode())


def unwrap(blob: bytes, kid: str, secret_key: str) -> Ed25519PrivateKey:
    raw = AESGCM(_wrapping_key(secret_key)).decrypt(blob[:12], blob[12:], kid.encode())
    return Ed25519PrivateKey.from_private_bytes(raw)


async def ensure_signing_key(session: AsyncSession, secret_key: str) -> str:
    """Return the active key id, creating the first key if there is none."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _CREATE_LOCK})
    existing = (await session.exec(select(SigningKey).where(col(SigningKey.active)))).first()
    if existing is not None:
        return existing.key_id
    private_key = Ed25519PrivateKey.generate()
    public = private_key.public_key()
    kid = key_id(public)
    session.add(
        SigningKey(
            key_id=kid,
            public_key=public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
            wrapped_private_key=wrap(private_key, kid, secret_key),
        )
    )
    await session.flush()
    return kid


async def active_signing_key(session: AsyncSession, secret_key: str) -> tuple[str, Ed25519PrivateKey]:
    row = (await session.exec(select(SigningKey).where(col(SigningKey.active)))).first()
    if row is None:
        kid = await ensure_signing_key(session, secret_key)
        row = await session.get(SigningKey, kid)
        assert row is not None
    if row.key_id not in _unwrapped:
        _unwrapped[row.key_id] = unwrap(row.wrapped_private_key, row.key_id, secret_key)
    return row.key_id, _unwrapped[row.key_id]


async def published_keys(session: AsyncSession) -> list[PublicKey]:
    rows = (
        await session.exec(
            select(SigningKey).order_by(col(SigningKey.active).desc(), col(SigningKey.created_at).desc())
        )
    ).all()
    return [
        PublicKey(row.key_id, public_pem(Ed25519PublicKey.from_public_bytes(row.public_key)), row.public_key)
        for row in rows
    ]
