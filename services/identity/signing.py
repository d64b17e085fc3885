"""Signing access tokens with the active key, and verifying them straight from the database."""

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.keys import active_key, ensure_active_key, jwks_of, private_key_of, published_keys
from services.identity.models import SigningKey
from shared.auth import ALGORITHM, AUDIENCE, ISSUER, JwksVerifier
from shared.logging import get_logger

log = get_logger(__name__)


class KeyRing:
    """Signs with whichever key the database says is active (a CLI rotation takes effect at
    once in every replica); decrypted private keys are cached by kid."""

    def __init__(self, secret_key: str) -> None:
        self._secret_key = secret_key
        self._private: dict[str, Ed25519PrivateKey] = {}

    def _private_key(self, key: SigningKey) -> Ed25519PrivateKey:
        if key.kid not in self._private:
            self._private[key.kid] = private_key_of(key, self._secret_key)
        return self._private[key.kid]

    async def sign_access_token(
        self,
        session: AsyncSession,
        *,
        user_id: uuid.UUID,
        email: str,
        roles: list[str],
        sid: uuid.UUID,
        ttl: int,
    ) -> str:
        key = await active_key(session) or await ensure_active_key(
            session, self._secret_key, datetime.now(UTC)
        )
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(user_id),
            "roles": sorted(roles),
            "sid": str(sid),
            "email": email,
            "iat": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._private_key(key), algorithm=ALGORITHM, headers={"kid": key.kid})


class DatabaseJwks(JwksVerifier):
    """Identity's own verifier: the same checks as every service (shared.auth), but the key set
    comes from identity's database instead of an HTTP call to itself."""

    def __init__(self, app: FastAPI, *, ttl_seconds: float = 60, min_refetch_seconds: float = 2) -> None:
        super().__init__("database", ttl_seconds=ttl_seconds, min_refetch_seconds=min_refetch_seconds)
        self._app = app

    async def reload(self) -> None:
        async with self._app.state.sessions() as session:
            self.load(jwks_of(await published_keys(session, datetime.now(UTC))))

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if age < self.min_refetch_seconds or (not force and age < self.ttl_seconds):
                return
            try:
                await self.reload()
            except Exception as error:  # keep verifying with the keys we have
                log.warning("cannot reload signing keys", error=repr(error))
