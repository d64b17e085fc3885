"""The signed-link tokens (shared.signing): round trip, tampering, purpose and secret binding."""

import base64
import hashlib
import hmac
import json

from shared.signing import sign, unsign

PAYLOAD = {"a": "8f4e2a0c-0000-4000-8000-000000000001", "t": "release.update"}


def test_a_token_round_trips() -> None:
    token = sign("s3cret", "unsubscribe", PAYLOAD)
    assert unsign("s3cret", "unsubscribe", token) == PAYLOAD


def test_a_changed_payload_or_signature_is_refused() -> None:
    token = sign("s3cret", "unsubscribe", PAYLOAD)
    body, _, mac = token.partition(".")
    other_body = sign("s3cret", "unsubscribe", {**PAYLOAD, "t": "renewal"}).partition(".")[0]
    assert unsign("s3cret", "unsubscribe", f"{other_body}.{mac}") is None
    flipped = mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]
    assert unsign("s3cret", "unsubscribe", f"{body}.{flipped}") is None
    for garbage in ("", ".", "abc", f"{body}.", f".{mac}", "%%%.***", "x" * 5000):
        assert unsign("s3cret", "unsubscribe", garbage) is None


def test_a_token_is_bound_to_its_secret_and_purpose() -> None:
    token = sign("s3cret", "unsubscribe", PAYLOAD)
    assert unsign("other", "unsubscribe", token) is None
    assert unsign("s3cret", "password-reset", token) is None


def _reference_token(secret: str, purpose: str, payload: dict[str, object]) -> str:
    """The token as the format defines it, derived from scratch (no cached key)."""
    key = hmac.new(secret.encode(), f"support-portal/{purpose}".encode(), hashlib.sha256).digest()
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    body = body.rstrip(b"=")
    mac = base64.urlsafe_b64encode(hmac.new(key, body, hashlib.sha256).digest()).rstrip(b"=")
    return f"{body.decode()}.{mac.decode()}"


def test_tokens_stay_byte_for_byte_what_mails_already_carry() -> None:
    # Links in mail already sent must keep working: the keyed-MAC cache changes no byte.
    assert sign("s3cret", "mail-unsubscribe", PAYLOAD) == (
        "eyJhIjoiOGY0ZTJhMGMtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIiwidCI6InJlbGVhc2UudXBkYXRlIn0"
        ".y43k-WEEvnySyaMgwkUn81nHgUTUoJwBDv1SqeopsIk"
    )
    # Interleaved secrets and purposes (a rotation, several purposes in one process) each get
    # their own key, however often the cache is hit in between.
    for round_ in range(3):
        for secret in ("s3cret", "rotated", "ünïcode-secret"):
            for purpose in ("mail-unsubscribe", "unsubscribe", "password-reset"):
                payload = {**PAYLOAD, "n": round_}
                token = sign(secret, purpose, payload)
                assert token == _reference_token(secret, purpose, payload)
                assert unsign(secret, purpose, token) == payload
