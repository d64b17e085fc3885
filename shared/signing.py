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
from functools import lru_cache
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"support-portal/{purpose}".encode(), hashlib.sha256).digest()


# The keyed HMAC of each (secret, purpose), derived once and copied per token: a release mails
# thousands of unsubscribe tokens under one secret, and deriving the key and keying the HMAC
# anew for each cost more than the token's own MAC. A rotated secret is simply another entry.
@lru_cache(maxsize=32)
def _keyed_mac(secret: str, purpose: str) -> "hmac.HMAC":
    return hmac.new(_key(secret, purpose), digestmod=hashlib.sha256)


def _mac(secret: str, purpose: str, body: bytes) -> bytes:
    mac = _keyed_mac(secret, purpose).copy()
    mac.update(body)
    return mac.digest()


def sign(secret: str, purpose: str, payload: dict[str, Any]) -> str:
    """A token carrying `payload` (JSON-serialisable), valid for `purpose` under `secret`."""
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_b64(_mac(secret, purpose, body.encode('ascii')))}"


def unsign(secret: str, purpose: str, token: str) -> dict[str, Any] | None:
    """The payload of a token made by `sign(secret, purpose, …)`, or None if it is not one."""
    body, dot, mac = token.partition(".")
    if not dot or not body or not mac or len(token) > 2048:
        return None
    expected = _mac(secret, purpose, body.encode("ascii", "replace"))
    try:
        if not hmac.compare_digest(_unb64(mac), expected):
            return None
        payload = json.loads(_unb64(body))
    except (binascii.Error, ValueError):
        return None
    return payload if isinstance(payload, dict) else None
