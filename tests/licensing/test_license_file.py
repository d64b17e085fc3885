"""License-file signing and verification, and the verifier CLI (pure: no stack)."""

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.licensing.license_file import (
    InvalidLicenseFile,
    canonical_json,
    key_id,
    public_pem,
    sign,
    verify,
)
from services.licensing.verify_cli import main as verify_main


def _payload(private_key: Ed25519PrivateKey) -> dict:
    return {
        "serial": "OMF-1234-5678-9ABC",
        "product": "OMFLOW",
        "edition": "Enterprise",
        "seats": 25,
        "licensee": {"account_id": "0b7e", "name": "王小明", "email": "ming@example.com"},
        "coverage_end": "2027-01-31",
        "issued_at": "2026-01-01T00:00:00+00:00",
        "key_id": key_id(private_key.public_key()),
    }


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert (
        canonical_json({"b": 1, "a": {"d": "é", "c": [1, 2]}}) == '{"a":{"c":[1,2],"d":"é"},"b":1}'.encode()
    )


def test_signed_file_verifies_and_any_change_fails() -> None:
    private_key = Ed25519PrivateKey.generate()
    document = sign(_payload(private_key), private_key)
    assert verify(document, private_key.public_key())["seats"] == 25
    tampered = json.loads(json.dumps(document))
    tampered["payload"]["seats"] = 2500
    with pytest.raises(InvalidLicenseFile):
        verify(tampered, private_key.public_key())
    with pytest.raises(InvalidLicenseFile):
        verify(document, Ed25519PrivateKey.generate().public_key())


def test_verifier_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    private_key = Ed25519PrivateKey.generate()
    key_file = tmp_path / "license-key.pub"
    key_file.write_text(public_pem(private_key.public_key()))
    good = tmp_path / "good.lic"
    good.write_text(json.dumps(sign(_payload(private_key), private_key), ensure_ascii=False, indent=2))
    assert verify_main(["verify", str(good), "--key", str(key_file)]) == 0
    assert capsys.readouterr().out.startswith("valid: OMF-1234-5678-9ABC")
    bad = tmp_path / "bad.lic"
    bad.write_text(good.read_text().replace('"seats": 25', '"seats": 26'))
    assert verify_main(["verify", str(bad), "--key", str(key_file)]) == 1
    assert capsys.readouterr().out.startswith("INVALID:")
