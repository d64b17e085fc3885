"""An organization's license file names the organization, whichever member downloads it, and
follows a rename (identity's `OrganizationRenamed`); a personal license still names the person."""

from pathlib import Path
from typing import Any

import httpx
import pytest

from services.licensing.license_file import load_public_pem, verify
from services.licensing.verify_cli import main as verify_main
from tests.kit import client_ip, eventually
from tests.licensing.helpers import create_staff, issue_license, lookup, wait_until_licensing_knows
from tests.organizations import ORGS, create_organization, join, membership_applied

API = "/api/licensing"
pytestmark = pytest.mark.usefixtures("stack")


async def _signed_licensee(gateway: httpx.AsyncClient, user: Any, license_id: str) -> dict[str, Any]:
    """The licensee of the file `user` downloads, once its signature checks with the published key."""
    download = await gateway.get(f"{API}/me/licenses/{license_id}/file", headers=user.headers)
    assert download.status_code == 200, download.text
    key = load_public_pem((await gateway.get(f"{API}/license-key.pub")).text)
    licensee: dict[str, Any] = verify(download.json(), key)["licensee"]
    return licensee


async def test_the_file_of_an_organizations_license_names_the_organization(
    stack: dict[str, Any],
    accounts: Any,
    gateway: httpx.AsyncClient,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
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

    # Whoever downloads it, the licensee is the organization, not the member.
    expected = {"organization_id": organization_id, "name": "Kaohsiung Precision Ltd."}
    assert await _signed_licensee(gateway, member, license["license_id"]) == expected
    assert await _signed_licensee(gateway, admin, license["license_id"]) == expected

    renamed = await gateway.patch(
        f"{ORGS}/{organization_id}", json={"name": "KPL Holdings"}, headers=admin.headers
    )
    assert renamed.status_code == 200, renamed.text

    async def renamed_in_file() -> dict[str, Any] | None:
        licensee = await _signed_licensee(gateway, member, license["license_id"])
        return licensee if licensee["name"] == "KPL Holdings" else None

    await eventually(renamed_in_file, what="the rename to reach the license file")

    # The offline verifier prints the organization as the licensee.
    download = await gateway.get(f"{API}/me/licenses/{license['license_id']}/file", headers=admin.headers)
    lic, key = tmp_path / "org.lic", tmp_path / "license-key.pub"
    lic.write_bytes(download.content)
    key.write_text((await gateway.get(f"{API}/license-key.pub")).text)
    assert verify_main(["verify", str(lic), "--key", str(key)]) == 0
    assert "licensed to KPL Holdings," in capsys.readouterr().out


async def test_a_rename_older_than_the_name_licensing_holds_changes_nothing(service_session: Any) -> None:
    """Membership and rename events ride different keys, so they can arrive out of order."""
    import uuid
    from datetime import timedelta

    from services.licensing.service.organization_names import organization_name, record_organization_name
    from shared.clock import now

    organization_id, later = uuid.uuid4(), now()
    async with service_session("licensing") as session:
        await record_organization_name(session, organization_id, "New name", later)
        await record_organization_name(session, organization_id, "Old name", later - timedelta(seconds=5))
        assert await organization_name(session, organization_id) == "New name"
        await record_organization_name(session, organization_id, "Newest name", later + timedelta(seconds=1))
        assert await organization_name(session, organization_id) == "Newest name"
