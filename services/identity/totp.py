"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): 30-second steps, 6 digits,
HMAC-SHA-1, the parameters every authenticator app understands. Pure functions of a secret and
a time, plus sealing the secret for storage (AES-GCM under a key derived from the service's
secret, bound to the account id so a sealed secret cannot be moved to another account)."""

import base64
import hashlib
import hmac
import os
import secrets
import struct
import uuid
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA-1 block the RFC recommends
# A code of the step before or after is accepted too: phone clocks drift, people type slowly.
DRIFT_STEPS = 1
ISSUER = "Support Portal"
_NONCE_BYTES = 12


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def base32(secret: bytes) -> str:
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def step_of(timestamp: float) -> int:
    return int(timestamp // STEP_SECONDS)


def code_at(secret: bytes, step: int) -> str:
    digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def matching_step(secret: bytes, code: str, timestamp: float, *, after_step: int = -1) -> int | None:
    """The time step whose code this is (within the allowed drift), or None. Steps up to
    `after_step` are refused: a code already used does not work a second time."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now_step = step_of(timestamp)
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if step > after_step and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def otpauth_uri(secret: bytes, account: str) -> str:
    """The `otpauth://totp/…` URI an authenticator app reads from a QR code."""
    label = f"{quote(ISSUER)}:{quote(account, safe='@')}"
    query = urlencode(
        {
            "secret": base32(secret),
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"


class SecretBox:
    """Seals authenticator secrets for the database: they are needed in the clear to check a
    code, so they are encrypted, not hashed."""

    def __init__(self, secret_key: str) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"identity two-step secrets v1"
        ).derive(secret_key.encode())
        self._aead = AESGCM(derived)

    def seal(self, secret: bytes, user_id: uuid.UUID) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, secret, user_id.bytes)

    def open(self, sealed: bytes, user_id: uuid.UUID) -> bytes:
        return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], user_id.bytes)
