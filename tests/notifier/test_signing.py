"""The signed-link tokens (shared.signing): round trip, tampering, purpose and secret binding."""

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
