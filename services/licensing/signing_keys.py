"""The license-file signing keys: the shared key store (shared.keystore) over licensing's table.

The kid is the one license files carry (`license_file.key_id`), so a verifier finds the public
key of any file issued since the key was made.
"""

from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.licensing.license_file import key_id, public_pem
from services.licensing.models import SigningKey
from shared.keystore import KeyStore


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    pem: str
    raw: bytes


def _kid(public_key: bytes) -> str:
    return key_id(Ed25519PublicKey.from_public_bytes(public_key))


@cache  # one store per process: it caches the unsealed private keys
def key_store(secret_key: str) -> KeyStore[SigningKey]:
    return KeyStore(
        SigningKey,
        secret_key=secret_key,
        purpose=b"signing-key wrap",
        salt=b"support-portal/licensing",
        kid_of=_kid,
    )


def public_keys(keys: list[SigningKey]) -> list[PublicKey]:
    return [PublicKey(key.kid, public_pem(key.public), key.public_key) for key in keys]
