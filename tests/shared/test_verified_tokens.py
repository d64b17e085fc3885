"""The verifier's memory of verified tokens (pure: keys in memory, tokens signed here): a
remembered token is still refused at its own `exp`, after its signing key is withdrawn, and the
memory stays bounded."""

import asyncio
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.auth import (
    ALGORITHM,
    AUDIENCE,
    ISSUER,
    TOKEN_EXPIRED,
    TOKEN_INVALID,
    JwksVerifier,
    Principal,
    VerifiedTokens,
)
from shared.http.problems import Problem
from tests.shared.test_key_refresh import Source, _key


def _token(private: Ed25519PrivateKey, kid: str, *, lifetime: int = 60, **claims: Any) -> str:
    now = int(time.time())  # noqa: TID251 - a JWT's own clock, as PyJWT checks it
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": str(uuid.uuid4()), "iat": now, "exp": now + lifetime}
    return jwt.encode(body | claims, private, algorithm=ALGORITHM, headers={"kid": kid})


async def test_a_remembered_token_is_refused_from_its_own_expiry() -> None:
    private, jwk = _key("k")
    verifier = JwksVerifier(Source(jwk))
    token = _token(private, "k", lifetime=1)
    first = await verifier.verify(token)
    assert verifier.verified.get(token) == first  # remembered…
    assert await verifier.verify(token) == first
    expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
    deadline = time.monotonic() + 10
    while time.time() < expires_at:  # noqa: TID251 - waiting for the JWT's own clock
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    with pytest.raises(Problem) as refused:  # …until exp, not until the cache drops it
        await verifier.verify(token)
    assert refused.value.detail == TOKEN_EXPIRED()
    assert verifier.verified.get(token) is None


async def test_a_withdrawn_key_takes_its_remembered_tokens_with_it() -> None:
    private, jwk = _key("old")
    _, new_jwk = _key("new")
    source = Source(jwk)
    verifier = JwksVerifier(source, min_refetch_seconds=0)
    token = _token(private, "old")
    await verifier.verify(token)
    source.keys = [new_jwk]
    await verifier.refresh()
    with pytest.raises(Problem) as refused:
        await verifier.verify(token)
    assert refused.value.detail == TOKEN_INVALID()


async def test_a_token_differing_in_one_byte_is_verified_from_scratch() -> None:
    private, jwk = _key("k")
    verifier = JwksVerifier(Source(jwk))
    token = _token(private, "k")
    await verifier.verify(token)
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with pytest.raises(Problem) as refused:
        await verifier.verify(forged)
    assert refused.value.detail == TOKEN_INVALID()


def test_the_memory_keeps_the_most_recently_used_tokens_up_to_its_size() -> None:
    memory = VerifiedTokens(size=2)
    principals = {name: Principal(user_id=uuid.uuid4(), roles=frozenset({"customer"})) for name in "abc"}
    far = time.time() + 600  # noqa: TID251 - a JWT's own clock
    memory.put("a", principals["a"], far)
    memory.put("b", principals["b"], far)
    assert memory.get("a") is principals["a"]  # "a" used last: "b" is the one to go
    memory.put("c", principals["c"], far)
    assert memory.get("b") is None
    assert memory.get("a") is principals["a"] and memory.get("c") is principals["c"]
