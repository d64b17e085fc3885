"""Customers binding licenses and contracts on the real stack, and the attacks on it."""

import asyncio
from typing import Any

import httpx

from services.licensing.texts import CHECK_SERIAL
from tests.accounts import PortalUser, register_customer
from tests.kit import client_ip, eventually
from tests.licensing.helpers import (
    API,
    comparable,
    issue_contract,
    issue_license,
    lookup,
    wait_until_licensing_knows,
)


async def test_search_previews_without_binding_then_bind_is_idempotent(
    gateway: httpx.AsyncClient, staff: PortalUser, new_customer: Any
) -> None:
    customer = await new_customer()
    license = await issue_license(gateway, staff, product="OMCLOUD", edition="Standard", seats=3)
    sloppy = {
        "serial": license["serial"].lower().replace("-", " "),
        "registration_number": license["registration_number"].lower(),
    }

    preview = await gateway.post(f"{API}/me/licenses/search", json=sloppy, headers=customer.headers)
    assert preview.status_code == 200, preview.text
    assert preview.json() | {"coverage": None} == {
        "serial": license["serial"],
        "product": "OMCLOUD",
        "edition": "Standard",
        "seats": 3,
        "purchased_on": "2024-01-01",
        "warranty_ends": "2025-01-01",
        "coverage": None,
        "already_bound_to_you": False,
    }
    assert preview.json()["coverage"] == {
        "start": "2024-01-01",
        "end": "2025-01-01",
        "status": "lapsed",
        "lapsed_since": "2025-01-02",
    }
    assert (await gateway.get(f"{API}/me/licenses", headers=customer.headers)).json() == []

    bound = await gateway.post(f"{API}/me/licenses", json=sloppy, headers=customer.headers)
    assert bound.status_code == 201, bound.text
    again = await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=customer.headers)
    assert again.status_code == 200 and again.json()["id"] == bound.json()["id"] == license["license_id"]

    listed = (await gateway.get(f"{API}/me/licenses", headers=customer.headers)).json()
    assert [item["serial"] for item in listed] == [license["serial"]]
    assert listed[0]["status"] == "lapsed" and listed[0]["timeline"] == [
        {"kind": "warranty", "contract_id": None, "start": "2024-01-01", "end": "2025-01-01"}
    ]
    assert listed[0]["file_url"].endswith(f"{API}/me/licenses/{license['license_id']}/file")
    one = await gateway.get(f"{API}/me/licenses/{license['license_id']}", headers=customer.headers)
    assert one.status_code == 200 and one.json() == listed[0]
    preview = await gateway.post(f"{API}/me/licenses/search", json=sloppy, headers=customer.headers)
    assert preview.json()["already_bound_to_you"] is True


async def test_wrong_serial_wrong_number_and_void_license_get_the_same_answer(
    gateway: httpx.AsyncClient, staff: PortalUser, new_customer: Any
) -> None:
    customer = await new_customer()
    license = await issue_license(gateway, staff)
    other = await issue_license(gateway, staff)
    voided = await issue_license(gateway, staff)
    void = await gateway.post(
        f"{API}/admin/licenses/{voided['serial']}/void",
        json={"reason": "refunded"},
        headers=staff.headers,
    )
    assert void.status_code == 200, void.text

    attempts = {
        "wrong registration number": lookup(license, other["registration_number"]),
        "wrong serial": lookup(other, license["registration_number"]),
        "void license": lookup(voided),
    }
    bodies = []
    for path in ("/me/licenses/search", "/me/licenses"):
        for what, body in attempts.items():
            response = await gateway.post(f"{API}{path}", json=body, headers=customer.headers)
            assert response.status_code == 404, (what, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            bodies.append(comparable(response.json()))
    assert all(b == bodies[0] for b in bodies)
    assert bodies[0]["type"] == "/problems/license-not-found"


async def test_malformed_serial_is_refused_before_any_lookup(
    gateway: httpx.AsyncClient, staff: PortalUser, new_customer: Any
) -> None:
    customer = await new_customer()
    license = await issue_license(gateway, staff)
    serial = license["serial"]
    typo = serial[:-2] + ("0" if serial[-2] != "0" else "1") + serial[-1]  # the check symbol catches it
    for bad in (typo, "OMF-1234", "XYZ-7K3Q-M9PX-2DR5", serial + "7", "🙂" * 10):
        response = await gateway.post(
            f"{API}/me/licenses", json=lookup(license) | {"serial": bad}, headers=customer.headers
        )
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["type"] == "/problems/malformed-serial"
        assert response.json()["detail_id"] == CHECK_SERIAL.id
    in_chinese = await gateway.post(
        f"{API}/me/licenses",
        json=lookup(license) | {"serial": "OMF-1234"},
        headers=customer.headers | {"Accept-Language": "zh-TW"},
    )
    assert in_chinese.json()["detail"] == CHECK_SERIAL.zh_tw
    # Malformed input is not a guess: the customer still has every attempt left.
    bound = await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=customer.headers)
    assert bound.status_code == 201


async def test_unverified_account_cannot_look_up_or_bind(
    gateway: httpx.AsyncClient, identity: httpx.AsyncClient, staff: PortalUser, stack_control: Any
) -> None:
    """Licensing trusts only UserVerified. With Kafka stopped the account is verified in identity
    (it can sign in) but licensing has not heard of it yet: refused. Once Kafka is back the event
    flows from identity's outbox and the same token works."""
    license = await issue_license(gateway, staff)
    stack_control.stop("kafka")
    try:
        customer = await register_customer(identity, staff)
        for path in ("/me/licenses/search", "/me/licenses", "/me/contracts/search", "/me/contracts"):
            response = await gateway.post(f"{API}{path}", json=lookup(license), headers=customer.headers)
            assert response.status_code == 403, response.text
            assert response.json()["type"] == "/problems/account-not-verified"
    finally:
        stack_control.start("kafka")
    await wait_until_licensing_knows(gateway, customer)
    bound = await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=customer.headers)
    assert bound.status_code == 201, bound.text


async def test_disabled_account_can_no_longer_bind(
    gateway: httpx.AsyncClient, identity: httpx.AsyncClient, staff: PortalUser, new_customer: Any
) -> None:
    customer = await new_customer()
    license = await issue_license(gateway, staff)
    disabled = await identity.post(
        f"/admin/users/{customer.user_id!s}/disable",
        json={"reason": "licensing test"},
        headers=staff.headers,
    )
    assert disabled.status_code == 200, disabled.text

    async def refused() -> bool:
        response = await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=customer.headers)
        assert response.status_code in (401, 403, 404, 201) and response.status_code != 201, response.text
        # 401: disabling ended the account's sessions everywhere (SessionsRevoked); 403: licensing's
        # own record of the account says disabled. Either way nothing is bound.
        return response.status_code in (401, 403)

    await eventually(refused, timeout=60, what="licensing to refuse the disabled account")


async def test_failed_lookups_are_rate_limited_per_account(
    gateway: httpx.AsyncClient, staff: PortalUser, new_customer: Any
) -> None:
    customer = await new_customer()
    license = await issue_license(gateway, staff)
    wrong = lookup(license, "00000-00000-00000-00000")
    for attempt in range(10):
        customer.ip = client_ip()  # per account, whatever the address
        response = await gateway.post(f"{API}/me/licenses/search", json=wrong, headers=customer.headers)
        assert response.status_code == 404, (attempt, response.text)
    limited = await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=customer.headers)
    assert limited.status_code == 429, limited.text
    assert limited.json()["type"] == "/problems/rate-limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 15 * 60
    # Another customer is not affected.
    other = await new_customer()
    assert (
        await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=other.headers)
    ).status_code == 201


async def test_failed_lookups_are_rate_limited_per_address(
    gateway: httpx.AsyncClient, licensing_url: str, staff: PortalUser, new_customer: Any
) -> None:
    customers = [await new_customer() for _ in range(13)]  # 12 to fail nine times each, 1 fresh
    license = await issue_license(gateway, staff)
    shared_address = client_ip()
    wrong = lookup(license, "00000-00000-00000-00000")
    async with httpx.AsyncClient(base_url=licensing_url, timeout=30) as direct:  # beyond the gateway's burst
        for index in range(100):
            customer = customers[index // 9]  # nine each: no account reaches its own limit
            customer.ip = shared_address
            response = await direct.post("/me/licenses/search", json=wrong, headers=customer.headers)
            assert response.status_code == 404, (index, response.text)
        fresh = customers[-1]
        fresh.ip = shared_address
        limited = await direct.post("/me/licenses", json=lookup(license), headers=fresh.headers)
        assert limited.status_code == 429, limited.text
        fresh.ip = client_ip()
        assert (
            await direct.post("/me/licenses", json=lookup(license), headers=fresh.headers)
        ).status_code == 201


async def test_fifty_concurrent_binds_exactly_one_wins(
    gateway: httpx.AsyncClient, licensing_url: str, staff: PortalUser, new_customer: Any
) -> None:
    customers = await asyncio.gather(*(new_customer() for _ in range(50)))
    license = await issue_license(gateway, staff)
    headers = [c.headers for c in customers]
    # Straight to the service: the gateway's per-address burst would turn some into 429s.
    async with httpx.AsyncClient(base_url=licensing_url, timeout=60) as direct:
        responses = await asyncio.gather(
            *(direct.post("/me/licenses", json=lookup(license), headers=h) for h in headers)
        )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 49, statuses
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {
        "/problems/license-already-bound"
    }
    winner = customers[[r.status_code for r in responses].index(201)]
    admin_view = await gateway.get(
        f"{API}/admin/licenses", params={"q": license["serial"]}, headers=staff.headers
    )
    assert admin_view.json()[0]["account_id"] == str(winner.user_id)


async def test_another_customers_license_is_not_found_in_every_customer_url(
    gateway: httpx.AsyncClient, staff: PortalUser, new_customer: Any
) -> None:
    owner, intruder = await new_customer(), await new_customer()
    license = await issue_license(gateway, staff)
    assert (
        await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=owner.headers)
    ).status_code == 201
    contract = (await issue_contract(gateway, staff, license["serial"], "2025-01-02", "2026-01-01")).json()
    missing = "00000000-0000-4000-8000-000000000000"
    for url in (f"/me/licenses/{license['license_id']}", f"/me/licenses/{license['license_id']}/file"):
        theirs = await gateway.get(f"{API}{url}", headers=intruder.headers)
        nothing = await gateway.get(
            f"{API}{url.replace(license['license_id'], missing)}", headers=intruder.headers
        )
        assert theirs.status_code == nothing.status_code == 404
        assert comparable(theirs.json()) == comparable(nothing.json())
    assert (await gateway.get(f"{API}/me/licenses", headers=intruder.headers)).json() == []
    assert (await gateway.get(f"{API}/me/contracts", headers=intruder.headers)).json() == []
    # The serial is bound to someone else: the registration number still cannot take it.
    taken = await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=intruder.headers)
    assert taken.status_code == 409
    # Nor can the contract be bound to a license that is not the intruder's.
    stolen = await gateway.post(
        f"{API}/me/contracts",
        json=lookup(license, contract["registration_number"]),
        headers=intruder.headers,
    )
    assert stolen.status_code == 409 and stolen.json()["type"] == "/problems/license-not-bound-to-you"
    # Staff routes are closed to customers.
    for method, url in (("GET", "/admin/licenses"), ("GET", "/admin/audit")):
        assert (await gateway.request(method, f"{API}{url}", headers=intruder.headers)).status_code == 403


async def test_contract_binds_only_to_own_license_and_extends_coverage(
    gateway: httpx.AsyncClient, staff: PortalUser, new_customer: Any
) -> None:
    customer = await new_customer()
    license = await issue_license(gateway, staff, purchased_on="2025-06-01", warranty_ends="2026-05-31")
    contract = (await issue_contract(gateway, staff, license["serial"], "2026-06-01", "2028-05-31")).json()
    body = lookup(license, contract["registration_number"])
    early = await gateway.post(f"{API}/me/contracts", json=body, headers=customer.headers)
    assert early.status_code == 409 and early.json()["type"] == "/problems/license-not-bound-to-you"
    assert (
        await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=customer.headers)
    ).status_code == 201

    preview = await gateway.post(f"{API}/me/contracts/search", json=body, headers=customer.headers)
    assert preview.status_code == 200, preview.text
    assert (
        preview.json()["coverage_after"]["end"] == "2028-05-31" and not preview.json()["already_bound_to_you"]
    )
    bound = await gateway.post(f"{API}/me/contracts", json=body, headers=customer.headers)
    assert bound.status_code == 201, bound.text
    assert (await gateway.post(f"{API}/me/contracts", json=body, headers=customer.headers)).status_code == 200
    mine = (await gateway.get(f"{API}/me/licenses/{license['license_id']}", headers=customer.headers)).json()
    assert mine["coverage"]["end"] == "2028-05-31"
    assert [t["kind"] for t in mine["timeline"]] == ["warranty", "contract"]
    contracts = (await gateway.get(f"{API}/me/contracts", headers=customer.headers)).json()
    assert [c["id"] for c in contracts] == [contract["contract_id"]]
    # A license's registration number is not a contract's (and vice versa).
    crossed = await gateway.post(f"{API}/me/contracts", json=lookup(license), headers=customer.headers)
    assert crossed.status_code == 404
