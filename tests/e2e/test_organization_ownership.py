"""Organizations across the services: a license bound by a member belongs to the organization,
and the ownership matrix (admin, member, non-member, former member, staff) holds for licenses,
contracts, license files, downloads, cases and attachments. A former member's still-valid token
is refused within seconds of the removal, at every service; one license, one owner, even when
two organizations bind it at once."""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from tests.accounts import PortalUser
from tests.downloads.conftest import ReleaseTool
from tests.kit import client_ip, eventually
from tests.licensing.helpers import (
    create_staff,
    issue_contract,
    issue_license,
    lookup,
    wait_until_licensing_knows,
)
from tests.organizations import ORGS, create_organization, join, membership_applied

LICENSING, DOWNLOADS, CASES = "/api/licensing", "/api/downloads", "/api/cases/cases"
# How long the services may take to apply a removal from identity's event.
REFUSAL_DEADLINE = 20.0

pytestmark = pytest.mark.usefixtures("stack")


@dataclass
class Company:
    product: str
    license: dict[str, Any]
    contract: dict[str, Any]
    release_id: str
    filename: str
    organization_id: str
    admin: PortalUser
    member: PortalUser  # bound the license
    former: PortalUser  # a member until the tests remove them
    outsider: PortalUser
    staff: PortalUser
    case: dict[str, Any]  # opened by the member on the organization's license
    private_case: dict[str, Any]


async def _customer(accounts: Any, gateway: httpx.AsyncClient) -> PortalUser:
    user = await accounts.user()
    user.ip = client_ip()
    await wait_until_licensing_knows(gateway, user)
    return user


@pytest.fixture(scope="module")
async def company(
    stack: dict[str, Any], accounts: Any, gateway: httpx.AsyncClient, tmp_path_factory: pytest.TempPathFactory
) -> Company:
    from tests.identity.helpers import IdentityEvents

    listener = IdentityEvents(stack["kafka"]["bootstrap"])
    await listener.start()
    try:
        staff = await create_staff(stack)
        # A product licensing sells, in a version of this test's own (release ids are per version).
        product, version = "OMCLOUD", f"7.{uuid.uuid4().int % 100_000}.0"
        license = await issue_license(
            gateway, staff, product=product, purchased_on="2025-01-01", warranty_ends="2030-12-31"
        )
        contract = await issue_contract(gateway, staff, license["serial"], "2031-01-01", "2031-12-31")
        assert contract.status_code == 201, contract.text
        admin, member, former, outsider = [await _customer(accounts, gateway) for _ in range(4)]
        organization_id = (await create_organization(gateway, admin, f"Acme {product}"))["id"]
        await join(gateway, admin, organization_id, member, listener)
        await join(gateway, admin, organization_id, former, listener)
    finally:
        await listener.stop()

    # Licensing binds for the organization once it has applied the member's event.
    await membership_applied(stack, ("licensing",), member.user_id, organization_id)
    bound = await gateway.post(f"{LICENSING}/me/licenses", json=lookup(license), headers=member.headers)
    assert bound.status_code == 201, bound.text
    assert bound.json()["organization_id"] == organization_id

    folder = tmp_path_factory.mktemp("org-release")
    artifact = folder / f"{product.lower()}-{version}.zip"
    artifact.write_bytes(b"organization release " * 512)
    ReleaseTool(stack).publish(
        *("--product", product, "--version", version, "--kind", "update", "--title", f"{product} {version}"),
        *("--published-on", date(2026, 1, 5).isoformat(), artifact),
    )

    async def listed() -> list[dict[str, Any]] | None:
        response = await gateway.get(
            f"{DOWNLOADS}/releases", params={"product": product}, headers=member.headers
        )
        return [r for r in response.json() if r["version"] == version] or None

    [release] = await eventually(listed, timeout=60, what="the release and the organization's holding")

    async def case_of(**extra: Any) -> dict[str, Any]:
        async def may_open() -> dict[str, Any] | None:
            response = await gateway.post(
                CASES,
                json={
                    "license_id": license["license_id"],
                    "category": "bug",
                    "subject": "Scheduler stops after upgrade",
                    "description": "After the update the nightly flow no longer starts.",
                    **extra,
                },
                headers={**member.headers, "X-Forwarded-For": client_ip()},
            )
            assert response.status_code in (201, 404), response.text
            return response.json() if response.status_code == 201 else None

        return await eventually(may_open, what="cases to project the organization's license")

    case = await case_of()
    private_case = await case_of(private=True)
    assert case["organization_id"] == organization_id and private_case["private"] is True
    return Company(
        product, license, contract.json(), release["release_id"], artifact.name, organization_id,
        admin, member, former, outsider, staff, case, private_case,
    )  # fmt: skip


def _licensing_paths(c: Company) -> list[str]:
    license_id = c.license["license_id"]
    return [f"{LICENSING}/me/licenses/{license_id}", f"{LICENSING}/me/licenses/{license_id}/file"]


def _download_paths(c: Company) -> list[str]:
    return [
        f"{DOWNLOADS}/releases/{c.release_id}",
        f"{DOWNLOADS}/releases/{c.release_id}/artifacts/{c.filename}",
    ]


def _case_paths(c: Company, case: dict[str, Any]) -> list[str]:
    return [f"{CASES}/{case['id']}", f"/api/cases/cases/{case['id']}/attachments"]


async def _statuses(gateway: httpx.AsyncClient, user: PortalUser, paths: list[str]) -> list[int]:
    headers = {**user.headers, "Prefer": "no-redirect"}
    return [(await gateway.get(path, headers=headers)).status_code for path in paths]


async def _lists(gateway: httpx.AsyncClient, user: PortalUser, c: Company) -> dict[str, bool]:
    """Whether each list shows the organization's object to `user`."""
    licenses = (await gateway.get(f"{LICENSING}/me/licenses", headers=user.headers)).json()
    contracts = (await gateway.get(f"{LICENSING}/me/contracts", headers=user.headers)).json()
    releases = (
        await gateway.get(f"{DOWNLOADS}/releases", params={"product": c.product}, headers=user.headers)
    ).json()
    cases = (await gateway.get(CASES, headers=user.headers)).json()
    case_ids = {item["id"] for item in (cases["items"] if isinstance(cases, dict) else cases)}
    return {
        "license": any(item["id"] == c.license["license_id"] for item in licenses),
        "contract": any(item["license_id"] == c.license["license_id"] for item in contracts),
        "release": any(item["release_id"] == c.release_id for item in releases),
        "case": c.case["id"] in case_ids,
        "private_case": c.private_case["id"] in case_ids,
    }


async def test_every_member_uses_what_a_member_bound(gateway: httpx.AsyncClient, company: Company) -> None:
    c = company
    # The admin did not bind anything: the organization's license is theirs to use all the same.
    contract = await gateway.post(
        f"{LICENSING}/me/contracts",
        json=lookup(c.license, c.contract["registration_number"]),
        headers=c.admin.headers,
    )
    assert contract.status_code == 201, contract.text
    for user in (c.admin, c.member):
        assert await _statuses(gateway, user, _licensing_paths(c)) == [200, 200]
        assert await _statuses(gateway, user, _download_paths(c)) == [200, 200]
        assert await _statuses(gateway, user, _case_paths(c, c.case)) == [200, 200]
    assert await _lists(gateway, c.admin, c) == {
        "license": True, "contract": True, "release": True, "case": True, "private_case": False,
    }  # fmt: skip
    assert (await _lists(gateway, c.member, c))["private_case"] is True
    [listed] = [
        item
        for item in (await gateway.get(f"{LICENSING}/me/licenses", headers=c.admin.headers)).json()
        if item["id"] == c.license["license_id"]
    ]
    assert listed["bound_by"] == c.member.name

    # The admin reads and answers the member's case; the reporter's private case stays theirs.
    reply = await gateway.post(
        f"{CASES}/{c.case['id']}/messages", json={"body": "Same here at HQ."}, headers=c.admin.headers
    )
    assert reply.status_code == 201, reply.text
    assert await _statuses(gateway, c.admin, _case_paths(c, c.private_case)) == [404, 404]


async def test_outsiders_get_what_a_missing_object_gets(gateway: httpx.AsyncClient, company: Company) -> None:
    c = company
    assert await _statuses(gateway, c.outsider, _licensing_paths(c)) == [404, 404]
    assert await _statuses(gateway, c.outsider, _download_paths(c)) == [404, 404]
    assert await _statuses(gateway, c.outsider, _case_paths(c, c.case)) == [404, 404]
    assert not any((await _lists(gateway, c.outsider, c)).values())
    steal = await gateway.post(f"{LICENSING}/me/licenses", json=lookup(c.license), headers=c.outsider.headers)
    assert steal.status_code == 409, "one license, one owner"
    reply = await gateway.post(
        f"{CASES}/{c.case['id']}/messages", json={"body": "hi"}, headers=c.outsider.headers
    )
    assert reply.status_code == 404


async def test_staff_see_the_organizations_case(gateway: httpx.AsyncClient, company: Company) -> None:
    c = company
    assert await _statuses(gateway, c.staff, _case_paths(c, c.case)) == [200, 200]
    assert await _statuses(gateway, c.staff, _case_paths(c, c.private_case)) == [200, 200]


async def test_a_removed_member_is_refused_within_seconds(
    gateway: httpx.AsyncClient, company: Company
) -> None:
    c = company
    assert await _statuses(gateway, c.former, _licensing_paths(c) + _download_paths(c)) == [200] * 4
    assert await _statuses(gateway, c.former, _case_paths(c, c.case)) == [200, 200]
    removed = await gateway.delete(
        f"{ORGS}/{c.organization_id}/members/{c.former.user_id}", headers=c.admin.headers
    )
    assert removed.status_code == 204
    started = asyncio.get_running_loop().time()

    async def refused_everywhere() -> bool:
        paths = _licensing_paths(c) + _download_paths(c) + _case_paths(c, c.case)
        return await _statuses(gateway, c.former, paths) == [404] * 6

    await eventually(
        refused_everywhere, timeout=REFUSAL_DEADLINE, what="every service to refuse the former member"
    )
    print(f"former member refused everywhere after {asyncio.get_running_loop().time() - started:.2f}s")
    assert not any((await _lists(gateway, c.former, c)).values())
    # Nothing was lost: the organization keeps its license, contract, release and case.
    assert await _lists(gateway, c.admin, c) == {
        "license": True, "contract": True, "release": True, "case": True, "private_case": False,
    }  # fmt: skip


async def test_two_organizations_binding_one_license_at_once(
    stack: dict[str, Any], accounts: Any, gateway: httpx.AsyncClient, company: Company
) -> None:
    license = await issue_license(gateway, company.staff, product=company.product, warranty_ends="2030-12-31")
    first, second = await _customer(accounts, gateway), await _customer(accounts, gateway)
    organizations = {}
    for founder in (first, second):
        organizations[founder.user_id] = (
            await create_organization(gateway, founder, f"Rival {founder.user_id.hex[:6]}")
        )["id"]
        await membership_applied(stack, ("licensing",), founder.user_id, organizations[founder.user_id])
    answers = await asyncio.gather(
        *(
            gateway.post(f"{LICENSING}/me/licenses", json=lookup(license), headers=u.headers)
            for u in (first, second)
        )
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    winner, loser = (first, second) if answers[0].status_code == 201 else (second, first)
    mine = [i["id"] for i in (await gateway.get(f"{LICENSING}/me/licenses", headers=winner.headers)).json()]
    theirs = [i["id"] for i in (await gateway.get(f"{LICENSING}/me/licenses", headers=loser.headers)).json()]
    assert license["license_id"] in mine and license["license_id"] not in theirs
    [won] = [
        i
        for i in (await gateway.get(f"{LICENSING}/me/licenses", headers=winner.headers)).json()
        if i["id"] == license["license_id"]
    ]
    assert won["organization_id"] == organizations[winner.user_id]
    assert answers[[first, second].index(loser)].json()["type"].endswith("/license-already-bound")


async def test_a_newcomer_who_brings_their_licenses_hands_them_over(
    stack: dict[str, Any], accounts: Any, gateway: httpx.AsyncClient, company: Company
) -> None:
    from tests.identity.helpers import IdentityEvents

    c = company
    newcomer, stays_personal = await _customer(accounts, gateway), await _customer(accounts, gateway)
    brought = await issue_license(gateway, c.staff, product=c.product, warranty_ends="2030-12-31")
    kept = await issue_license(gateway, c.staff, product=c.product, warranty_ends="2030-12-31")
    for user, license in ((newcomer, brought), (stays_personal, kept)):
        bound = await gateway.post(f"{LICENSING}/me/licenses", json=lookup(license), headers=user.headers)
        assert bound.status_code == 201 and bound.json()["organization_id"] is None, bound.text
    listener = IdentityEvents(stack["kafka"]["bootstrap"])
    await listener.start()
    try:
        await join(gateway, c.admin, c.organization_id, newcomer, listener, bring_licenses=True)
        await join(gateway, c.admin, c.organization_id, stays_personal, listener)
    finally:
        await listener.stop()

    path = f"{LICENSING}/me/licenses/{brought['license_id']}"

    async def handed_over() -> bool:
        return (await gateway.get(path, headers=c.admin.headers)).status_code == 200

    await eventually(handed_over, what="the brought license to become the organization's")
    assert (await gateway.get(path, headers=newcomer.headers)).json()["organization_id"] == c.organization_id
    # Not asked, not moved: the other newcomer's license stays theirs alone.
    kept_path = f"{LICENSING}/me/licenses/{kept['license_id']}"
    assert (await gateway.get(kept_path, headers=c.admin.headers)).status_code == 404
    assert (await gateway.get(kept_path, headers=stays_personal.headers)).json()["organization_id"] is None


async def test_removing_a_member_while_they_download(
    stack: dict[str, Any], accounts: Any, gateway: httpx.AsyncClient, company: Company
) -> None:
    from tests.identity.helpers import IdentityEvents

    c = company
    leaver = await _customer(accounts, gateway)
    listener = IdentityEvents(stack["kafka"]["bootstrap"])
    await listener.start()
    try:
        await join(gateway, c.admin, c.organization_id, leaver, listener)
    finally:
        await listener.stop()
    await membership_applied(stack, ("downloads",), leaver.user_id, c.organization_id)
    artifact = _download_paths(c)[1]
    headers = {**leaver.headers, "Prefer": "no-redirect"}

    async def grant() -> int:
        return (await gateway.get(artifact, headers=headers)).status_code

    assert await grant() == 200
    removal = gateway.delete(f"{ORGS}/{c.organization_id}/members/{leaver.user_id}", headers=c.admin.headers)
    answers = await asyncio.gather(removal, *(grant() for _ in range(12)))
    assert answers[0].status_code == 204
    assert set(answers[1:]) <= {200, 404}, (
        "a download racing the removal is granted or refused, never an error"
    )

    async def refused() -> bool:
        return await grant() == 404

    await eventually(refused, timeout=REFUSAL_DEADLINE, what="downloads to refuse the removed member")
    assert await grant() == 404, "once refused, refused for good"


async def test_staff_move_a_license_into_another_organization(
    stack: dict[str, Any], accounts: Any, gateway: httpx.AsyncClient, company: Company
) -> None:
    c = company
    rival = await _customer(accounts, gateway)
    rival_org = (await create_organization(gateway, rival, "Rival Robotics"))["id"]
    await membership_applied(stack, ("licensing", "downloads"), rival.user_id, rival_org)
    license = await issue_license(gateway, c.staff, product=c.product, warranty_ends="2030-12-31")
    bound = await gateway.post(f"{LICENSING}/me/licenses", json=lookup(license), headers=c.member.headers)
    assert bound.status_code == 201 and bound.json()["organization_id"] == c.organization_id

    moved = await gateway.post(
        f"{LICENSING}/admin/licenses/{license['serial']}/move",
        json={"to_account_id": str(rival.user_id), "reason": "sold to Rival Robotics, ticket 4411"},
        headers=c.staff.headers,
    )
    assert moved.status_code == 200, moved.text
    path = f"{LICENSING}/me/licenses/{license['license_id']}"
    assert (await gateway.get(path, headers=rival.headers)).json()["organization_id"] == rival_org
    for former_owner in (c.admin, c.member):
        assert (await gateway.get(path, headers=former_owner.headers)).status_code == 404
    audit = await gateway.get(
        f"{LICENSING}/admin/audit", params={"target": license["serial"]}, headers=c.staff.headers
    )
    [move] = [e for e in audit.json() if e["action"] == "license.move"]
    assert move["reason"] == "sold to Rival Robotics, ticket 4411"
    assert (
        move["before"]["organization_id"] == c.organization_id
        and move["after"]["organization_id"] == rival_org
    )
