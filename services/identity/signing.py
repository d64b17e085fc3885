"""Signing access tokens with the active key, and verifying them straight from the database."""

import uuid
from collections.abc import Sequence
from typing import Any

import jwt
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.keys import jwks_of, key_store
from shared import clock
from shared.auth import ALGORITHM, AUDIENCE, ISSUER, JwksVerifier
from shared.i18n import Locale
from shared.logging import get_logger

log = get_logger(__name__)


class KeyRing:
    """Signs with whichever key the database says is active (a CLI rotation takes effect at
    once in every replica)."""

    def __init__(self, secret_key: str) -> None:
        self.store = key_store(secret_key)

    async def sign_access_token(
        self,
        session: AsyncSession,
        *,
        user_id: uuid.UUID,
        email: str,
        roles: Sequence[str],
        locale: Locale,
        sid: uuid.UUID,
        ttl: int,
    ) -> str:
        """`lng` is the account's language: other services answer in it when a request names
        none (shared.auth reads it into Principal.locale)."""
        key, private_key = await self.store.signing_key(session, clock.now())
        now = clock.timestamp()
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(user_id),
            "roles": sorted(roles),
            "sid": str(sid),
            "email": email,
            "lng": locale,
            "iat": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def database_verifier(app: FastAPI) -> JwksVerifier:
    """Identity's own verifier: the same checks as every service (shared.auth), but the key set
    comes from identity's database instead of an HTTP call to itself."""

    async def published_jwks() -> dict[str, Any]:
        async with app.state.sessions() as session:
            return jwks_of(await app.state.identity.keyring.store.published(session, clock.now()))

    return JwksVerifier(published_jwks, ttl_seconds=60, min_refetch_seconds=2)
