"""An organization's license file names the organization, whichever member downloads it, and
follows a rename (identity's `OrganizationRenamed`); the back office sees and filters by the
organization that owns a license, and the organization an account belongs to."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.licensing.license_file import load_public_pem, verify
from services.licensing.verify_cli import main as verify_main
from tests.accounts import PortalUser
from tests.kit import client_ip, eventually
from tests.licensing.helpers import create_staff, issue_license, lookup, wait_until_licensing_knows
from tests.organizations import ORGS, create_organization, join, membership_applied

API = "/api/licensing"
pytestmark = pytest.mark.usefixtures("stack")


@dataclass
class Company:
    organization_id: str
    license: dict[str, Any]
    admin: PortalUser
    member: PortalUser  # bound the license
    staff: PortalUser


@pytest.fixture(scope="module")
async def company(stack: dict[str, Any], accounts: Any, gateway: httpx.AsyncClient) -> Company:
    from tests.identity.helpers import IdentityEvents

    staff = await create_staff(stack)
    license = await issue_license(gateway, staff, product="OMFLOW")
    admin, member = await accounts.user(), await accounts.user()
    for user in (admin, member):
        user.ip = client_ip()
        await wait_until_licensing_knows(gateway, user)
    listener = IdentityEvents(stack["kafka"]["bootstrap"])
    await listener.start()
    try:
        organization_id = (await create_organization(gateway, admin, "Kaohsiung Precision Ltd."))["id"]
        await join(gateway, admin, organization_id, member, listener)
    finally:
        await listener.stop()
    await membership_applied(stack, ("licensing",), member.user_id, organization_id)
    bound = await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=member.headers)
    assert bound.status_code == 201, bound.text
    return Company(organization_id, license, admin, member, staff)


async def _signed_licensee(gateway: httpx.AsyncClient, user: PortalUser, license_id: str) -> dict[str, Any]:
    """The licensee of the file `user` downloads, once its signature checks with the published key."""
    download = await gateway.get(f"{API}/me/licenses/{license_id}/file", headers=user.headers)
    assert download.status_code == 200, download.text
    key = load_public_pem((await gateway.get(f"{API}/license-key.pub")).text)
    licensee: dict[str, Any] = verify(download.json(), key)["licensee"]
    return licensee


async def _rename(gateway: httpx.AsyncClient, c: Company, name: str) -> None:
    renamed = await gateway.patch(f"{ORGS}/{c.organization_id}", json={"name": name}, headers=c.admin.headers)
    assert renamed.status_code == 200, renamed.text


async def test_the_file_of_an_organizations_license_names_the_organization(
    gateway: httpx.AsyncClient, company: Company, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c, license_id = company, company.license["license_id"]
    # Whoever downloads it, the licensee is the organization, not the member.
    expected = {"organization_id": c.organization_id, "name": "Kaohsiung Precision Ltd."}
    assert await _signed_licensee(gateway, c.member, license_id) == expected
    assert await _signed_licensee(gateway, c.admin, license_id) == expected

    await _rename(gateway, c, "KPL Holdings")

    async def renamed_in_file() -> dict[str, Any] | None:
        licensee = await _signed_licensee(gateway, c.member, license_id)
        return licensee if licensee["name"] == "KPL Holdings" else None

    await eventually(renamed_in_file, what="the rename to reach the license file")

    # The offline verifier prints the organization as the licensee.
    download = await gateway.get(f"{API}/me/licenses/{license_id}/file", headers=c.admin.headers)
    lic, key = tmp_path / "org.lic", tmp_path / "license-key.pub"
    lic.write_bytes(download.content)
    key.write_text((await gateway.get(f"{API}/license-key.pub")).text)
    assert verify_main(["verify", str(lic), "--key", str(key)]) == 0
    assert "licensed to KPL Holdings," in capsys.readouterr().out


async def test_staff_see_and_filter_licenses_by_organization(
    gateway: httpx.AsyncClient, company: Company
) -> None:
    c = company
    await _rename(gateway, c, "Tainan Robotics Co.")

    async def found_by_name() -> list[dict[str, Any]] | None:
        response = await gateway.get(
            f"{API}/admin/licenses", params={"organization": "tainan robotics"}, headers=c.staff.headers
        )
        assert response.status_code == 200, response.text
        return [item for item in response.json() if item["id"] == c.license["license_id"]] or None

    [listed] = await eventually(found_by_name, what="the license found by its organization's name")
    assert (listed["organization_id"], listed["organization_name"]) == (
        c.organization_id,
        "Tainan Robotics Co.",
    )
    assert listed["account_email"] == c.member.email  # who bound it, as before
    by_id = await gateway.get(
        f"{API}/admin/licenses", params={"organization": c.organization_id}, headers=c.staff.headers
    )
    assert [item["id"] for item in by_id.json()] == [c.license["license_id"]]
    # A wildcard in the name is a character, not a pattern.
    other = await gateway.get(f"{API}/admin/licenses", params={"organization": "%"}, headers=c.staff.headers)
    assert c.license["license_id"] not in {item["id"] for item in other.json()}
    customer = await gateway.get(
        f"{API}/admin/licenses", params={"organization": c.organization_id}, headers=c.member.headers
    )
    assert customer.status_code == 403


async def test_staff_see_the_organization_of_an_account(gateway: httpx.AsyncClient, company: Company) -> None:
    c = company
    found = await gateway.get(
        "/api/identity/admin/users", params={"q": c.member.email}, headers=c.staff.headers
    )
    assert found.status_code == 200, found.text
    [row] = found.json()["items"]
    assert row["organization_id"] == c.organization_id and row["organization_name"]
    detail = await gateway.get(f"/api/identity/admin/users/{c.member.user_id}", headers=c.staff.headers)
    assert detail.json()["organization_id"] == c.organization_id
    alone = await gateway.get(f"/api/identity/admin/users/{c.staff.user_id}", headers=c.staff.headers)
    assert alone.json()["organization_id"] is None and alone.json()["organization_name"] is None
