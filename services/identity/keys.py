"""Identity's signing keys: the shared key store over identity's table, published as a JWKS.

Keys are created on first start and rotated by the CLI (`rotate-key`); see shared.keystore.
"""

from typing import Any

from services.identity.models import SigningKey
from shared.auth import ALGORITHM
from shared.keystore import KeyStore, b64url


def key_store(secret_key: str) -> KeyStore[SigningKey]:
    return KeyStore(SigningKey, secret_key=secret_key, purpose=b"identity signing keys v1")


def jwk_of(key: SigningKey) -> dict[str, Any]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(key.public_key),
        "kid": key.kid,
        "use": "sig",
        "alg": ALGORITHM,
    }


def jwks_of(keys: list[SigningKey]) -> dict[str, Any]:
    return {"keys": [jwk_of(key) for key in keys]}
