"""Back-office issuance, the back-pay rule, voiding, moving, search and audit on the real stack."""

from typing import Any

import httpx
import pytest

from services.licensing.serials import format_serial, parse_serial
from services.licensing.texts import RENEWAL_MUST_PAY_GAP, RENEWAL_OVERLAPS
from tests.accounts import PortalUser
from tests.licensing.helpers import API, issue_contract, issue_license, lookup

PREFIXES = frozenset({"OMF", "OMI", "OMC"})


async def test_issue_license_answers_registration_number_once(
    gateway: httpx.AsyncClient, staff: PortalUser
) -> None:
    issued = await issue_license(gateway, staff, product="OMFLOW-ITSM", customer_ref="PO-2024-17")
    assert parse_serial(issued["serial"], PREFIXES) == ("OMI", issued["serial"])
    assert len(issued["registration_number"].replace("-", "")) == 20
    found = await gateway.get(f"{API}/admin/licenses", params={"q": issued["serial"]}, headers=staff.headers)
    [view] = found.json()
    assert view["id"] == issued["license_id"] and view["customer_ref"] == "PO-2024-17"
    assert "registration_number" not in view and "registration_hash" not in view
    assert issued["registration_number"] not in found.text


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"product": "NOTEPAD"}, "product"),
        ({"seats": 0}, "seats"),
        ({"purchased_on": "2025-01-01", "warranty_ends": "2024-12-31"}, "body"),
        ({"purchased_on": "2025-01-01", "warranty_ends": "2025-01-01"}, "body"),
        ({"purchased_on": "01/02/2025"}, "purchased_on"),
        ({"edition": ""}, "edition"),
    ],
)
async def test_bad_issuance_is_a_422_with_the_field(
    gateway: httpx.AsyncClient, staff: PortalUser, override: dict[str, Any], field: str
) -> None:
    body = {
        "product": "OMFLOW",
        "edition": "E",
        "seats": 1,
        "purchased_on": "2024-01-01",
        "warranty_ends": "2025-01-01",
    }
    response = await gateway.post(f"{API}/admin/licenses", json=body | override, headers=staff.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"] == field for e in response.json()["errors"]), response.json()


async def test_contract_with_a_gap_is_refused_naming_the_gap_and_the_start(
    gateway: httpx.AsyncClient, staff: PortalUser
) -> None:
    license = await issue_license(gateway, staff, purchased_on="2023-03-01", warranty_ends="2024-02-29")
    gap = await issue_contract(gateway, staff, license["serial"], "2024-06-01", "2025-05-31")
    assert gap.status_code == 409, gap.text
    problem = gap.json()
    assert problem["type"] == "/problems/coverage-gap"
    assert (problem["gap_start"], problem["gap_end"], problem["required_start"]) == (
        "2024-03-01",
        "2024-05-31",
        "2024-03-01",
    )
    assert problem["detail_id"] == RENEWAL_MUST_PAY_GAP.id and "2024-03-01" in problem["detail"]

    overlap = await issue_contract(gateway, staff, license["serial"], "2024-01-01", "2025-01-01")
    assert overlap.status_code == 409 and overlap.json()["type"] == "/problems/coverage-overlap"
    assert overlap.json()["detail_id"] == RENEWAL_OVERLAPS.id
    assert overlap.json()["required_start"] == "2024-03-01"

    first = await issue_contract(gateway, staff, license["serial"], "2024-03-01", "2025-02-28")
    assert first.status_code == 201, first.text
    # The next renewal is measured from the first contract, bound or not: no double sale.
    again = await issue_contract(gateway, staff, license["serial"], "2024-03-01", "2025-02-28")
    assert again.status_code == 409 and again.json()["required_start"] == "2025-03-01"
    second = await issue_contract(gateway, staff, license["serial"], "2025-03-01", "2026-02-28")
    assert second.status_code == 201


async def test_contract_dates_out_of_order_and_unknown_serials(
    gateway: httpx.AsyncClient, staff: PortalUser
) -> None:
    license = await issue_license(gateway, staff)
    backwards = await issue_contract(gateway, staff, license["serial"], "2025-06-01", "2025-01-02")
    assert backwards.status_code == 422
    malformed = await issue_contract(gateway, staff, "OMF-NOPE", "2025-01-02", "2026-01-01")
    assert malformed.status_code == 422 and malformed.json()["type"] == "/problems/malformed-serial"
    unknown = format_serial("OMF", "0" * 11)  # well-formed, never issued in practice
    missing = await issue_contract(gateway, staff, unknown, "2025-01-02", "2026-01-01")
    assert missing.status_code == 404


async def test_void_move_and_audit(gateway: httpx.AsyncClient, staff: PortalUser, new_customer: Any) -> None:
    first, second = await new_customer(), await new_customer()
    license = await issue_license(gateway, staff)
    contract = (await issue_contract(gateway, staff, license["serial"], "2025-01-02", "2026-01-01")).json()
    assert (
        await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=first.headers)
    ).status_code == 201
    bind = await gateway.post(
        f"{API}/me/contracts",
        json=lookup(license, contract["registration_number"]),
        headers=first.headers,
    )
    assert bind.status_code == 201

    moved = await gateway.post(
        f"{API}/admin/licenses/{license['serial']}/move",
        json={"to_account_id": str(second.user_id), "reason": "company merger, ticket 881"},
        headers=staff.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["account_id"] == str(second.user_id)
    assert (await gateway.get(f"{API}/me/licenses", headers=first.headers)).json() == []
    [mine] = (await gateway.get(f"{API}/me/licenses", headers=second.headers)).json()
    assert mine["coverage"]["end"] == "2026-01-01"  # the bound contract moves with the license

    voided = await gateway.post(
        f"{API}/admin/contracts/{contract['contract_id']}/void",
        json={"reason": "charge-back"},
        headers=staff.headers,
    )
    assert voided.status_code == 200
    [mine] = (await gateway.get(f"{API}/me/licenses", headers=second.headers)).json()
    assert mine["coverage"]["end"] == "2025-01-01"  # void contracts are not coverage
    again = await gateway.post(
        f"{API}/admin/contracts/{contract['contract_id']}/void",
        json={"reason": "twice"},
        headers=staff.headers,
    )
    assert again.status_code == 409

    void = await gateway.post(
        f"{API}/admin/licenses/{license['serial']}/void",
        json={"reason": "refunded"},
        headers=staff.headers,
    )
    assert void.status_code == 200 and void.json()["voided_at"]
    assert (await gateway.get(f"{API}/me/licenses", headers=second.headers)).json() == []

    audit = await gateway.get(
        f"{API}/admin/audit", params={"target": license["serial"]}, headers=staff.headers
    )
    entries = {(e["action"], e["reason"], e["actor_id"]) for e in audit.json()}
    assert {
        ("license.move", "company merger, ticket 881", str(staff.user_id)),
        ("contract.void", "charge-back", str(staff.user_id)),
        ("license.void", "refunded", str(staff.user_id)),
        ("license.issue", "", str(staff.user_id)),
    } <= entries
    [move] = [e for e in audit.json() if e["action"] == "license.move"]
    assert move["details"] == {"from_account_id": str(first.user_id), "to_account_id": str(second.user_id)}


async def test_move_needs_a_verified_target(
    gateway: httpx.AsyncClient, staff: PortalUser, new_customer: Any
) -> None:
    owner = await new_customer()
    license = await issue_license(gateway, staff)
    assert (
        await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=owner.headers)
    ).status_code == 201
    response = await gateway.post(
        f"{API}/admin/licenses/{license['serial']}/move",
        json={"to_account_id": "00000000-0000-4000-8000-000000000001", "reason": "typo"},
        headers=staff.headers,
    )
    assert response.status_code == 422 and response.json()["type"] == "/problems/move-target-not-verified"


async def test_search_by_serial_spelling_product_and_account(
    gateway: httpx.AsyncClient, staff: PortalUser, new_customer: Any
) -> None:
    customer = await new_customer()
    license = await issue_license(gateway, staff, product="OMCLOUD")
    await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=customer.headers)
    for q in (license["serial"].lower().replace("-", ""), str(customer.user_id), customer.email):
        found = await gateway.get(f"{API}/admin/licenses", params={"q": q}, headers=staff.headers)
        assert license["license_id"] in [item["id"] for item in found.json()], q
    by_product = await gateway.get(
        f"{API}/admin/licenses", params={"q": "omcloud", "limit": 200}, headers=staff.headers
    )
    assert {item["product"] for item in by_product.json()} == {"OMCLOUD"}
