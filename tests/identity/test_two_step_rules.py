"""Pure rules of the account console: TOTP against RFC 6238's own vectors, the one-use step,
sealing secrets, and readable device names from user agents."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.exceptions import InvalidTag

from services.identity import devices, totp

RFC_SECRET = b"12345678901234567890"  # RFC 6238 appendix B, SHA-1


@pytest.mark.parametrize(
    ("timestamp", "eight_digits"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ],
)
def test_codes_match_rfc_6238_vectors(timestamp: int, eight_digits: str):
    # The RFC lists 8-digit codes; 6 digits are the same number modulo 10^6.
    assert totp.code_at(RFC_SECRET, totp.step_of(timestamp)) == eight_digits[-6:]


def test_a_code_is_accepted_within_one_step_of_drift_and_only_once():
    now = 1_700_000_000.0
    step = totp.step_of(now)
    for offset in (-1, 0, 1):
        assert totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, step + offset), now) == step + offset
    assert totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, step - 2), now) is None
    assert totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, step), now, after_step=step) is None
    assert totp.matching_step(RFC_SECRET, "12345", now) is None
    assert totp.matching_step(RFC_SECRET, "abcdef", now) is None


def test_otpauth_uri_names_the_issuer_account_and_parameters():
    uri = totp.otpauth_uri(RFC_SECRET, "mei@example.com")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/Support%20Portal:mei@example.com"
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query == {
        "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "issuer": "Support Portal",
        "algorithm": "SHA1",
        "digits": "6",
        "period": "30",
    }


def test_a_sealed_secret_opens_only_for_its_account_and_key():
    box, owner = totp.SecretBox("secret-one"), uuid.uuid4()
    sealed = box.seal(RFC_SECRET, owner)
    assert RFC_SECRET not in sealed
    assert box.open(sealed, owner) == RFC_SECRET
    with pytest.raises(InvalidTag):
        box.open(sealed, uuid.uuid4())
    with pytest.raises(InvalidTag):
        totp.SecretBox("secret-two").open(sealed, owner)


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
            "Edge 120 · Windows",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox 121 · Linux"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.2 Mobile/15E148 Safari/604.1",
            "Safari 17 · iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.6099.144 Mobile Safari/537.36",
            "Chrome 120 · Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.1 Safari/605.1.15",
            "Safari 17 · macOS",
        ),
        ("python-httpx/0.28.1", "python-httpx 0"),
        ("", None),
        ("something else entirely", None),
    ],
)
def test_devices_are_named_readably(agent: str, label: str | None):
    assert devices.describe(agent).label == label
