"""`support-license verify FILE [--key PUBKEY_FILE | --url URL]`: check a license file offline.

Exit 0 and "valid: …" when the file is signed by the key, exit 1 and "INVALID: …" otherwise.
With --url the public key is fetched once (the service's /license-key.pub or /license-keys).
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.licensing.license_file import InvalidLicenseFile, load_public_pem, verify


def _key_from_url(url: str, wanted: Any) -> Ed25519PublicKey:
    response = httpx.get(url, timeout=10, follow_redirects=True)
    response.raise_for_status()
    if "json" in response.headers.get("content-type", ""):
        keys = response.json().get("keys", [])
        for key in keys:
            if key.get("key_id") == wanted:
                return load_public_pem(key["pem"])
        raise InvalidLicenseFile(f"no published key has id {wanted!r}")
    return load_public_pem(response.content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="support-license", description="Support Portal license files.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser("verify", help="verify a license file's signature offline")
    check.add_argument("file", type=Path, help="the <serial>.lic file")
    source = check.add_mutually_exclusive_group(required=True)
    source.add_argument("--key", type=Path, help="the public key, PEM (from /license-key.pub)")
    source.add_argument(
        "--url", help="fetch the public key from this URL (/license-key.pub or /license-keys)"
    )
    args = parser.parse_args(argv)
    try:
        document = json.loads(args.file.read_bytes())
        wanted = document.get("payload", {}).get("key_id") if isinstance(document, dict) else None
        key = load_public_pem(args.key.read_bytes()) if args.key else _key_from_url(args.url, wanted)
        payload = verify(document, key)
    except (OSError, ValueError, httpx.HTTPError) as error:
        print(f"INVALID: {error}")
        return 1
    licensee = payload.get("licensee", {})
    # An organization's license names the organization only; a personal one, the person and address.
    holder = (
        licensee.get("name")
        if "organization_id" in licensee
        else f"{licensee.get('name')} <{licensee.get('email')}>"
    )
    print(
        f"valid: {payload.get('serial')} {payload.get('product')} {payload.get('edition')} "
        f"{payload.get('seats')} seats, licensed to {holder}, "
        f"coverage until {payload.get('coverage_end')} (key {payload.get('key_id')})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
