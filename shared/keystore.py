"""Ed25519 signing keys kept in a service's own database: one store for identity (access
tokens, published as a JWKS) and licensing (license files).

Private keys never lie in the database in clear: each is sealed with AES-256-GCM under a key
derived (HKDF-SHA256) from the service's `secret_key`, with the kid as associated data so a sealed
blob cannot be moved onto another row. A copy of the database alone signs nothing.

The newest key without `retires_at` signs. Rotation gives the previous keys a `retires_at` in
the future: they keep verifying until then, so a rotation logs nobody out and leaves every license
file issued before it verifiable. Creating and rotating take an advisory lock, so replicas starting
together never make two active keys.
"""

import base64
import hashlib
import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import DateTime, LargeBinary, text
from sqlmodel import Field, SQLModel, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

_NONCE_BYTES = 12


class SigningKeyRecord(SQLModel):
    """The columns of a service's `signing_keys` table (each service declares the table)."""

    kid: str = Field(primary_key=True, max_length=64)
    public_key: bytes = Field(sa_type=LargeBinary, nullable=False)  # raw 32 bytes
    sealed_private_key: bytes = Field(sa_type=LargeBinary, nullable=False)
    created_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    retires_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))

    @property
    def public(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)


K = TypeVar("K", bound=SigningKeyRecord)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(public_key: bytes) -> str:
    """RFC 7638 JWK thumbprint: derived from the key, so a kid can never name two keys."""
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": b64url(public_key)}, separators=(",", ":"))
    return b64url(hashlib.sha256(members.encode()).digest())


class KeyStore(Generic[K]):
    """`purpose` (and `salt`) separate the sealing keys of different uses of one secret."""

    def __init__(
        self,
        model: type[K],
        *,
        secret_key: str,
        purpose: bytes,
        salt: bytes | None = None,
        kid_of: Callable[[bytes], str] = thumbprint,
    ) -> None:
        self.model = model
        self.kid_of = kid_of
        self._lock_name = f"{model.__tablename__}.changes"
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=purpose).derive(
            secret_key.encode()
        )
        self._aead = AESGCM(derived)
        self._unsealed: dict[str, Ed25519PrivateKey] = {}  # unsealing on every signature is waste

    def new_key(self, now: datetime) -> K:
        private = Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        kid = self.kid_of(public)
        raw = private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        nonce = os.urandom(_NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, raw, kid.encode())
        return self.model(kid=kid, public_key=public, sealed_private_key=sealed, created_at=now)

    def private_key(self, key: K) -> Ed25519PrivateKey:
        if key.kid not in self._unsealed:
            sealed = key.sealed_private_key
            raw = self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], key.kid.encode())
            self._unsealed[key.kid] = Ed25519PrivateKey.from_private_bytes(raw)
        return self._unsealed[key.kid]

    async def active(self, session: AsyncSession) -> K | None:
        query = (
            select(self.model)
            .where(col(self.model.retires_at).is_(None))
            .order_by(col(self.model.created_at).desc())
        )
        return (await session.exec(query.limit(1))).first()

    async def published(self, session: AsyncSession, now: datetime) -> list[K]:
        """The keys that still verify, the signing one first."""
        query = (
            select(self.model)
            .where(or_(col(self.model.retires_at).is_(None), col(self.model.retires_at) > now))
            .order_by(col(self.model.retires_at).is_not(None), col(self.model.created_at).desc())
        )
        return list((await session.exec(query)).all())

    async def ensure_active(self, session: AsyncSession, now: datetime) -> K:
        key = await self.active(session)
        if key is not None:
            return key
        await self._serialize_changes(session)
        key = await self.active(session)  # another replica may have made it while we waited
        if key is None:
            key = self.new_key(now)
            session.add(key)
            await session.flush()
        return key

    async def signing_key(self, session: AsyncSession, now: datetime) -> tuple[K, Ed25519PrivateKey]:
        key = await self.ensure_active(session, now)
        return key, self.private_key(key)

    async def rotate(self, session: AsyncSession, now: datetime, retire_after: timedelta) -> K:
        """A new signing key; the previous ones keep verifying for `retire_after`."""
        await self._serialize_changes(session)
        for old in (await session.exec(select(self.model).where(col(self.model.retires_at).is_(None)))).all():
            old.retires_at = now + retire_after
            session.add(old)
        key = self.new_key(now)
        session.add(key)
        await session.flush()
        return key

    async def _serialize_changes(self, session: AsyncSession) -> None:
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": self._lock_name}
        )
