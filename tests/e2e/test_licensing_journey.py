"""A customer's licensing journey across identity, licensing and Kafka, through the gateway:
issue → verified account → search → bind → list → license file verified offline (a tampered copy
fails) → renewal with a gap refused → renewal → coverage extended → events on Kafka."""

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.accounts import PortalUser, register_customer
from tests.kit import ROOT
from tests.licensing.helpers import (
    API,
    create_staff,
    events_about,
    issue_contract,
    issue_license,
    lookup,
    wait_until_licensing_knows,
)


@pytest.fixture(scope="module")
async def identity(stack: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack["services"]["identity"]["url"], timeout=30) as client:
        yield client


def _verify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.licensing.verify_cli", "verify", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_license_journey(
    stack: dict[str, Any],
    gateway: httpx.AsyncClient,
    identity: httpx.AsyncClient,
    kafka_bootstrap: str,
    tmp_path: Path,
) -> None:
    staff: PortalUser = await create_staff(stack)
    license = await issue_license(
        gateway,
        staff,
        product="OMFLOW",
        edition="Enterprise",
        seats=40,
        purchased_on="2024-04-01",
        warranty_ends="2025-03-31",
    )
    customer = await register_customer(identity, staff)
    await wait_until_licensing_knows(gateway, customer)

    preview = await gateway.post(f"{API}/me/licenses/search", json=lookup(license), headers=customer.headers)
    assert preview.status_code == 200 and preview.json()["seats"] == 40
    bound = await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=customer.headers)
    assert bound.status_code == 201, bound.text
    [listed] = (await gateway.get(f"{API}/me/licenses", headers=customer.headers)).json()
    assert listed["coverage"]["end"] == "2025-03-31"

    # The license file, checked offline with the published key, and with the key fetched by URL.
    file_path = listed["file_url"].split(API, 1)[1]
    download = await gateway.get(f"{API}{file_path}", headers=customer.headers)
    assert download.status_code == 200
    assert f'filename="{license["serial"]}.lic"' in download.headers["content-disposition"]
    document = download.json()
    assert document["payload"]["licensee"] == {
        "account_id": str(customer.user_id),
        "name": "Mei Chen",
        "email": customer.email,
    }
    lic = tmp_path / f"{license['serial']}.lic"
    lic.write_bytes(download.content)
    key = tmp_path / "license-key.pub"
    key.write_text((await gateway.get(f"{API}/license-key.pub")).text)
    checked = _verify(str(lic), "--key", str(key))
    assert checked.returncode == 0 and checked.stdout.startswith(f"valid: {license['serial']}"), checked
    by_url = _verify(str(lic), "--url", f"{stack['gateway']['url']}{API}/license-keys")
    assert by_url.returncode == 0, by_url
    tampered = tmp_path / "tampered.lic"
    document["payload"]["coverage_end"] = "2099-12-31"
    tampered.write_text(json.dumps(document))
    refused = _verify(str(tampered), "--key", str(key))
    assert refused.returncode == 1 and refused.stdout.startswith("INVALID:")

    # Coverage lapsed on 2025-03-31: a renewal from 2025-07-01 must pay the gap.
    gap = await issue_contract(gateway, staff, license["serial"], "2025-07-01", "2026-06-30")
    assert gap.status_code == 409
    assert (gap.json()["gap_start"], gap.json()["gap_end"], gap.json()["required_start"]) == (
        "2025-04-01",
        "2025-06-30",
        "2025-04-01",
    )
    renewal = await issue_contract(gateway, staff, license["serial"], "2025-04-01", "2027-03-31")
    assert renewal.status_code == 201, renewal.text
    contract = renewal.json()
    bind = await gateway.post(
        f"{API}/me/contracts",
        json=lookup(license, contract["registration_number"]),
        headers=customer.headers,
    )
    assert bind.status_code == 201, bind.text
    mine = (await gateway.get(f"{API}/me/licenses/{license['license_id']}", headers=customer.headers)).json()
    assert mine["coverage"]["end"] == "2027-03-31"
    assert [(t["kind"], t["start"], t["end"]) for t in mine["timeline"]] == [
        ("warranty", "2024-04-01", "2025-03-31"),
        ("contract", "2025-04-01", "2027-03-31"),
    ]
    fresh = (await gateway.get(f"{API}{file_path}", headers=customer.headers)).json()
    assert fresh["payload"]["coverage_end"] == "2027-03-31"

    events = await events_about(
        kafka_bootstrap,
        "licensing.license",
        license["license_id"],
        want={
            "licensing.LicenseIssued.v1",
            "licensing.LicenseBound.v1",
            "licensing.ContractIssued.v1",
            "licensing.ContractBound.v1",
        },
    )
    by_type = {e["type"]: e for e in events}
    assert by_type["licensing.LicenseBound.v1"]["data"] | {"license_id": None} == {
        "license_id": None,
        "account_id": str(customer.user_id),
        "serial": license["serial"],
        "product": "OMFLOW",
        "edition": "Enterprise",
        "seats": 40,
        "coverage_start": "2024-04-01",
        "coverage_end": "2025-03-31",
        "organization_id": None,  # bound by a customer of no organization: a personal license
    }
    contract_bound = by_type["licensing.ContractBound.v1"]["data"]
    assert (contract_bound["contract_id"], contract_bound["coverage_end"]) == (
        contract["contract_id"],
        "2027-03-31",
    )
    assert by_type["licensing.LicenseBound.v1"]["source"] == "licensing"
