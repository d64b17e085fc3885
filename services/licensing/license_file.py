"""The signed license file: canonical JSON, Ed25519 signing and verification.

Small and free of database code on purpose: the service signs with it, and the offline
verifier (`support-license verify`) and the tests check with exactly the same code.
"""

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "Ed25519"


class InvalidLicenseFile(ValueError):
    pass


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the one byte string a signature can be about."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_pem(pem: bytes | str) -> Ed25519PublicKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as error:
        raise InvalidLicenseFile(f"not a PEM public key: {error}") from error
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidLicenseFile("the public key is not an Ed25519 key")
    return key


def sign(payload: dict[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    signature = private_key.sign(canonical_json(payload))
    return {"payload": payload, "signature": base64.b64encode(signature).decode()}


def verify(document: Any, public_key: Ed25519PublicKey) -> dict[str, Any]:
    """Return the payload if `document` is a license file signed by `public_key`, else raise."""
    if not isinstance(document, dict) or not isinstance(document.get("payload"), dict):
        raise InvalidLicenseFile("not a license file (no payload)")
    payload: dict[str, Any] = document["payload"]
    if payload.get("key_id") != key_id(public_key):
        raise InvalidLicenseFile(f"signed by key {payload.get('key_id')!r}, not by {key_id(public_key)!r}")
    try:
        signature = base64.b64decode(str(document.get("signature", "")), validate=True)
        public_key.verify(signature, canonical_json(payload))
    except (ValueError, InvalidSignature) as error:
        raise InvalidLicenseFile("the signature does not match the content") from error
    return payload
