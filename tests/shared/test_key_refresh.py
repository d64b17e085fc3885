"""The verifier's key-set refresh (pure: a key source in memory, tokens signed here)."""

import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from shared.auth import ALGORITHM, AUDIENCE, ISSUER, JwksVerifier


def _key(kid: str) -> tuple[Ed25519PrivateKey, dict[str, Any]]:
    private = Ed25519PrivateKey.generate()
    jwk = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True) | {
        "kid": kid,
        "alg": ALGORITHM,
        "use": "sig",
    }
    return private, jwk


def _token(private: Ed25519PrivateKey, kid: str) -> str:
    now = int(time.time())  # noqa: TID251 - a JWT's own clock, as PyJWT checks it
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": str(uuid.uuid4()), "iat": now, "exp": now + 60}
    return jwt.encode(claims, private, algorithm=ALGORITHM, headers={"kid": kid})


class Source:
    def __init__(self, *jwks: dict[str, Any]) -> None:
        self.keys = list(jwks)
        self.fetches = 0

    async def __call__(self) -> dict[str, Any]:
        self.fetches += 1
        return {"keys": list(self.keys)}


async def test_a_key_rotated_in_right_after_a_fetch_is_learnt_not_refused() -> None:
    old, old_jwk = _key("old")
    new, new_jwk = _key("new")
    source = Source(old_jwk)
    verifier = JwksVerifier(source, min_refetch_seconds=0.3)
    await verifier.verify(_token(old, "old"))  # first fetch
    source.keys.append(new_jwk)  # identity rotates just after
    principal = await verifier.verify(_token(new, "new"))
    assert principal.user_id
    assert source.fetches == 2


async def test_forged_key_ids_cost_at_most_one_fetch_per_interval() -> None:
    import asyncio

    from shared.http.problems import Problem

    private, jwk = _key("real")
    source = Source(jwk)
    verifier = JwksVerifier(source, min_refetch_seconds=0.3)
    await verifier.refresh()
    forged = [_token(private, f"forged-{n}") for n in range(10)]
    started = time.monotonic()
    results = await asyncio.gather(*(verifier.verify(t) for t in forged), return_exceptions=True)
    elapsed = time.monotonic() - started
    assert all(isinstance(r, Problem) for r in results)
    assert source.fetches - 1 <= elapsed / 0.3 + 1  # one fetch per interval at most, never a storm


async def test_keys_out_of_reach_answer_503_retry_not_401() -> None:
    """A service restarted while identity is down has no keys yet: the token may be good, so the
    answer says "retry shortly" (a 401 would make the portal sign the customer out)."""
    from shared.http.problems import Problem

    private, _ = _key("real")

    async def unreachable() -> dict[str, Any]:
        raise OSError("connection refused")

    verifier = JwksVerifier(unreachable, min_refetch_seconds=0.0)
    try:
        await verifier.verify(_token(private, "real"))
    except Problem as problem:
        assert problem.type.status == 503
        assert problem.headers == {"Retry-After": "2"}
    else:
        raise AssertionError("a token was accepted without any key")
