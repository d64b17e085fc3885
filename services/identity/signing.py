"""Signing access tokens with the active key, and verifying them straight from the database."""

import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.keys import active_key, ensure_active_key, jwks_of, private_key_of, published_keys
from services.identity.models import SigningKey
from shared import clock
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
        key = await active_key(session) or await ensure_active_key(session, self._secret_key, clock.now())
        now = clock.timestamp()
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


def database_verifier(app: FastAPI) -> JwksVerifier:
    """Identity's own verifier: the same checks as every service (shared.auth), but the key set
    comes from identity's database instead of an HTTP call to itself."""

    async def published_jwks() -> dict[str, Any]:
        async with app.state.sessions() as session:
            return jwks_of(await published_keys(session, clock.now()))

    return JwksVerifier(published_jwks, ttl_seconds=60, min_refetch_seconds=2)
