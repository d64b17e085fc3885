"""Dissolving an organization: only its last member, an administrator, may, and what it held
falls back to them. Licenses (with their contracts) move to them through `BindingMoved`, so
downloads, cases and the notifier follow; the cases they could read become theirs, while a former
colleague's private case stays with its reporter."""

from typing import Any

import asyncpg
import httpx
import pytest

from tests.accounts import PortalUser
from tests.conftest import database_url
from tests.kit import client_ip, eventually
from tests.licensing.helpers import (
    create_staff,
    issue_contract,
    issue_license,
    lookup,
    wait_until_licensing_knows,
)
from tests.organizations import ORGS, create_organization, join, membership_applied

LICENSING, CASES = "/api/licensing", "/api/cases/cases"
SERVICES = ("licensing", "downloads", "cases", "notifier")
pytestmark = pytest.mark.usefixtures("stack")


async def _customer(accounts: Any, gateway: httpx.AsyncClient) -> PortalUser:
    user = await accounts.user()
    user.ip = client_ip()
    await wait_until_licensing_knows(gateway, user)
    return user


async def _open_case(
    gateway: httpx.AsyncClient, user: PortalUser, license_id: str, **extra: Any
) -> dict[str, Any]:
    async def may_open() -> dict[str, Any] | None:
        response = await gateway.post(
            CASES,
            json={
                "license_id": license_id,
                "category": "bug",
                "subject": "Report export fails",
                "description": "The monthly export stops with an error.",
                **extra,
            },
            headers={**user.headers, "X-Forwarded-For": client_ip()},
        )
        assert response.status_code in (201, 404), response.text
        return response.json() if response.status_code == 201 else None

    opened: dict[str, Any] = await eventually(may_open, what="cases to project the organization's license")
    return opened


async def test_the_last_member_dissolves_and_takes_over(
    stack: dict[str, Any], accounts: Any, gateway: httpx.AsyncClient
) -> None:
    from tests.identity.helpers import IdentityEvents

    staff = await create_staff(stack)
    license = await issue_license(
        gateway, staff, product="OMCLOUD", purchased_on="2025-01-01", warranty_ends="2030-12-31"
    )
    contract = await issue_contract(gateway, staff, license["serial"], "2031-01-01", "2031-12-31")
    assert contract.status_code == 201, contract.text
    admin, member = await _customer(accounts, gateway), await _customer(accounts, gateway)
    listener = IdentityEvents(stack["kafka"]["bootstrap"])
    await listener.start()
    try:
        organization_id = (await create_organization(gateway, admin, "Hsinchu Fabrication"))["id"]
        await join(gateway, admin, organization_id, member, listener)
    finally:
        await listener.stop()
    await membership_applied(stack, ("licensing", "cases"), member.user_id, organization_id)
    bound = await gateway.post(f"{LICENSING}/me/licenses", json=lookup(license), headers=member.headers)
    assert bound.status_code == 201, bound.text
    contract_bound = await gateway.post(
        f"{LICENSING}/me/contracts",
        json=lookup(license, contract.json()["registration_number"]),
        headers=member.headers,
    )
    assert contract_bound.status_code == 201, contract_bound.text
    license_id = license["license_id"]
    shared_case = await _open_case(gateway, member, license_id)
    private_case = await _open_case(gateway, member, license_id, private=True)
    assert shared_case["organization_id"] == organization_id

    # Not while a colleague remains, and never by a plain member.
    refused = await gateway.delete(f"{ORGS}/{organization_id}", headers=admin.headers)
    assert refused.status_code == 409 and refused.json()["detail_id"] == "identity.remove-members-first"
    by_member = await gateway.delete(f"{ORGS}/{organization_id}", headers=member.headers)
    assert by_member.status_code == 403, by_member.text
    removed = await gateway.delete(
        f"{ORGS}/{organization_id}/members/{member.user_id}", headers=admin.headers
    )
    assert removed.status_code == 204, removed.text

    dissolved = await gateway.delete(f"{ORGS}/{organization_id}", headers=admin.headers)
    assert dissolved.status_code == 204, dissolved.text
    mine = await gateway.get(f"{ORGS}/mine", headers=admin.headers)
    assert mine.json()["organization"] is None
    again = await gateway.delete(f"{ORGS}/{organization_id}", headers=admin.headers)
    assert again.status_code == 404
    await membership_applied(stack, SERVICES, admin.user_id, None)

    # The license (and its contract) are the admin's own now, in licensing and every copy.
    async def personal() -> dict[str, Any] | None:
        listed = (await gateway.get(f"{LICENSING}/me/licenses", headers=admin.headers)).json()
        found = [item for item in listed if item["id"] == license_id and item["organization_id"] is None]
        return found[0] if found else None

    await eventually(personal, what="the license to fall back to the last member")
    licensee = (await gateway.get(f"{LICENSING}/me/licenses/{license_id}/file", headers=admin.headers)).json()
    assert licensee["payload"]["licensee"]["account_id"] == str(admin.user_id)
    contracts = (await gateway.get(f"{LICENSING}/me/contracts", headers=admin.headers)).json()
    assert license_id in {item["license_id"] for item in contracts}
    for service in ("downloads", "cases", "notifier"):
        await _holding_is_personal(database_url(stack, service), service, license_id, admin.user_id)

    # The shared case is the admin's; the former member's private case stays theirs alone.
    shared = await gateway.get(f"{CASES}/{shared_case['id']}", headers=admin.headers)
    assert shared.status_code == 200 and shared.json()["organization_id"] is None
    assert (await gateway.get(f"{CASES}/{private_case['id']}", headers=admin.headers)).status_code == 404
    assert (await gateway.get(f"{CASES}/{shared_case['id']}", headers=member.headers)).status_code == 404
    assert (
        await gateway.get(f"{LICENSING}/me/licenses/{license_id}", headers=member.headers)
    ).status_code == 404


async def _holding_is_personal(url: str, service: str, license_id: str, account_id: Any) -> None:
    table = "holding" if service == "notifier" else "holdings"
    connection = await asyncpg.connect(url)
    try:

        async def moved() -> bool:
            row = await connection.fetchrow(
                f"SELECT account_id, organization_id FROM {table} WHERE license_id = $1::uuid",  # noqa: S608 - table names are ours
                license_id,
            )
            return row is not None and row["account_id"] == account_id and row["organization_id"] is None

        await eventually(moved, what=f"{service} to hold the license personally")
    finally:
        await connection.close()
