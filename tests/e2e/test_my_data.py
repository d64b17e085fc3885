"""Download my data: identity, licensing and cases each answer `GET /me/export` with the
caller's own data only (a bound license and its contract, a reported case with the replies the
customer sees, never staff's internal notes, nor anything of another account)."""

from datetime import timedelta
from typing import Any

import httpx

from shared import clock
from tests.accounts import new_account
from tests.kit import client_ip, eventually
from tests.licensing.helpers import (
    create_staff,
    issue_contract,
    issue_license,
    lookup,
    wait_until_licensing_knows,
)

EXPORTS = ("/api/identity/me/export", "/api/licensing/me/export", "/api/cases/me/export")


async def _export(gateway: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    answers = [await gateway.get(path, headers=headers) for path in EXPORTS]
    for answer in answers:
        assert answer.status_code == 200, answer.text
    return [answer.json() for answer in answers]


async def test_each_service_exports_the_callers_own_data(
    stack: dict[str, Any], gateway: httpx.AsyncClient
) -> None:
    customer = await new_account(stack, ip=client_ip())
    stranger = await new_account(stack, ip=client_ip())
    staff = await create_staff(stack)
    await wait_until_licensing_knows(gateway, customer)
    today = clock.today()
    license = await issue_license(gateway, staff, warranty_ends=str(today + timedelta(days=300)))
    bound = await gateway.post("/api/licensing/me/licenses", json=lookup(license), headers=customer.headers)
    assert bound.status_code == 201, bound.text
    contract = await issue_contract(
        gateway, staff, license["serial"], today + timedelta(days=301), today + timedelta(days=700)
    )
    assert contract.status_code == 201, contract.text
    bound_contract = await gateway.post(
        "/api/licensing/me/contracts",
        json=lookup(license, contract.json()["registration_number"]),
        headers=customer.headers,
    )
    assert bound_contract.status_code == 201, bound_contract.text

    async def case_opened() -> dict[str, Any] | None:
        # Cases learns the binding from licensing's event: retry until it has.
        response = await gateway.post(
            "/api/cases/cases",
            json={
                "license_id": bound.json()["id"],
                "category": "bug",
                "subject": "Export me",
                "description": "The nightly flow stopped.",
            },
            headers={**customer.headers, "X-Forwarded-For": client_ip()},
        )
        return response.json() if response.status_code == 201 else None

    case = await eventually(case_opened, timeout=60, interval=0.5, what="cases to know the bound license")
    note = await gateway.post(
        f"/api/cases/cases/{case['id']}/messages",
        json={"body": "Internal: customer on old build", "internal": True},
        headers=staff.headers,
    )
    assert note.status_code == 201, note.text
    reply = await gateway.post(
        f"/api/cases/cases/{case['id']}/messages",
        json={"body": "Please send the log."},
        headers=staff.headers,
    )
    assert reply.status_code == 201, reply.text

    identity, licensing, cases = await _export(gateway, customer.headers)
    assert identity["account"]["email"] == customer.email and identity["account"]["id"] == str(
        customer.user_id
    )
    assert identity["sessions"] and identity["two_step"]["enabled"] is False
    assert "password_hash" not in str(identity)
    assert [item["serial"] for item in licensing["licenses"]] == [license["serial"]]
    assert [item["id"] for item in licensing["contracts"]] == [contract.json()["contract_id"]]
    [exported] = cases["cases"]
    assert exported["id"] == case["id"]
    bodies = [message["body"] for message in exported["messages"]]
    assert "Please send the log." in bodies and not any("Internal" in body for body in bodies)

    # Another account's export holds none of it; without a token there is none.
    other_identity, other_licensing, other_cases = await _export(gateway, stranger.headers)
    assert other_identity["account"]["email"] == stranger.email
    assert other_licensing == {"licenses": [], "contracts": []} and other_cases == {"cases": []}
    for path in EXPORTS:
        refused = await gateway.get(path)
        assert refused.status_code == 401 and refused.headers["content-type"].startswith(
            "application/problem+json"
        )
