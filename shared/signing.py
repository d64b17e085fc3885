"""Signed tokens for links that act without a sign-in (e.g. a mail's one-click unsubscribe).

A token is `base64url(json payload) "." base64url(HMAC-SHA256)`. The HMAC key is derived from a
service's secret and a `purpose`, so a token minted for one purpose never verifies for another,
even under the same secret. There is no expiry: such links must keep working as long as the
mail that carries them is read (RFC 8058 asks for that), and what they may do is narrow.
"""

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"support-portal/{purpose}".encode(), hashlib.sha256).digest()


def sign(secret: str, purpose: str, payload: dict[str, Any]) -> str:
    """A token carrying `payload` (JSON-serialisable), valid for `purpose` under `secret`."""
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(_key(secret, purpose), body.encode("ascii"), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(secret: str, purpose: str, token: str) -> dict[str, Any] | None:
    """The payload of a token made by `sign(secret, purpose, …)`, or None if it is not one."""
    body, dot, mac = token.partition(".")
    if not dot or not body or not mac or len(token) > 2048:
        return None
    expected = hmac.new(_key(secret, purpose), body.encode("ascii", "replace"), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(_unb64(mac), expected):
            return None
        payload = json.loads(_unb64(body))
    except (binascii.Error, ValueError):
        return None
    return payload if isinstance(payload, dict) else None
