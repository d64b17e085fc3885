"""Organizations in identity: creating one, roles, the last administrator, removal and leaving,
and that nobody reaches an organization they do not administer."""

import asyncio

from tests.identity.helpers import API
from tests.organizations import ORGS, create_organization, join, mine


async def test_a_customer_creates_an_organization_and_becomes_its_admin(gateway, events, accounts):
    founder = await accounts.user(name="Mei Chen")
    organization = await create_organization(gateway, founder, "Acme Automation", bring_licenses=True)
    assert organization["name"] == "Acme Automation" and organization["country"] == "TW"
    assert organization["my_role"] == "admin"
    assert [(m["user_id"], m["role"]) for m in organization["members"]] == [(str(founder.user_id), "admin")]
    [added] = await events.wait("OrganizationMemberAdded", user_id=str(founder.user_id))
    assert added["data"]["organization_id"] == organization["id"] and added["data"]["role"] == "admin"
    assert added["data"]["bring_licenses"] is True
    assert (await mine(gateway, founder))["id"] == organization["id"]

    again = await gateway.post(ORGS, json={"name": "Second", "country": "JP"}, headers=founder.headers)
    assert again.status_code == 409
    assert again.json()["detail_id"] == "identity.leave-organization-first"


async def test_bad_input_is_a_clear_422_and_leaves_nothing(gateway, accounts):
    customer = await accounts.user()
    for body in (
        {"name": "", "country": "TW"},
        {"name": "Acme", "country": "XX"},
        {"name": "Acme", "country": "Taiwan"},
        {"name": "Acme\x00", "country": "TW"},
        {"name": "Acme", "country": "TW", "owner": "someone"},
    ):
        response = await gateway.post(ORGS, json=body, headers=customer.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await mine(gateway, customer) is None
    lowercase = await gateway.post(ORGS, json={"name": "Acme", "country": "jp"}, headers=customer.headers)
    assert lowercase.status_code == 201 and lowercase.json()["country"] == "JP"


async def test_without_a_token_nothing_is_served(gateway):
    assert (await gateway.get(f"{ORGS}/mine")).status_code == 401
    assert (await gateway.post(ORGS, json={"name": "Acme", "country": "TW"})).status_code == 401


async def test_the_last_admin_can_neither_leave_nor_step_down(gateway, events, accounts):
    admin, colleague = await accounts.user(), await accounts.user()
    organization = await create_organization(gateway, admin)
    org = organization["id"]
    await join(gateway, admin, org, colleague, events)

    leave = await gateway.delete(f"{ORGS}/{org}/members/{admin.user_id}", headers=admin.headers)
    assert leave.status_code == 409 and leave.json()["detail_id"] == "identity.promote-another-admin"
    demote = await gateway.put(
        f"{ORGS}/{org}/members/{admin.user_id}/role", json={"role": "member"}, headers=admin.headers
    )
    assert demote.status_code == 409 and demote.json()["type"].endswith("/last-organization-admin")

    promoted = await gateway.put(
        f"{ORGS}/{org}/members/{colleague.user_id}/role", json={"role": "admin"}, headers=admin.headers
    )
    assert promoted.status_code == 200, promoted.text
    assert {m["user_id"]: m["role"] for m in promoted.json()["members"]}[str(colleague.user_id)] == "admin"
    left = await gateway.delete(f"{ORGS}/{org}/members/{admin.user_id}", headers=admin.headers)
    assert left.status_code == 204, left.text
    [removed] = await events.wait("OrganizationMemberRemoved", user_id=str(admin.user_id))
    assert removed["data"] == {"user_id": str(admin.user_id), "organization_id": org, "reason": "left"}
    assert await mine(gateway, admin) is None
    assert [m["user_id"] for m in (await mine(gateway, colleague))["members"]] == [str(colleague.user_id)]


async def test_two_admins_stepping_down_at_once_leave_one_admin(gateway, events, accounts):
    first, second = await accounts.user(), await accounts.user()
    org = (await create_organization(gateway, first))["id"]
    await join(gateway, first, org, second, events)
    promoted = await gateway.put(
        f"{ORGS}/{org}/members/{second.user_id}/role", json={"role": "admin"}, headers=first.headers
    )
    assert promoted.status_code == 200

    async def step_down(user):
        return await gateway.put(
            f"{ORGS}/{org}/members/{user.user_id}/role", json={"role": "member"}, headers=user.headers
        )

    answers = await asyncio.gather(step_down(first), step_down(second))
    assert sorted(a.status_code for a in answers) == [200, 409]
    roles = [m["role"] for m in (await mine(gateway, first))["members"]]
    assert roles.count("admin") == 1


async def test_members_cannot_administer_and_outsiders_cannot_see(gateway, events, accounts):
    admin, member, outsider = await accounts.user(), await accounts.user(), await accounts.user()
    org = (await create_organization(gateway, admin))["id"]
    await join(gateway, admin, org, member, events)
    member_view = await mine(gateway, member)
    assert member_view["my_role"] == "member" and member_view["invitations"] == []

    refused_member = [
        await gateway.patch(f"{ORGS}/{org}", json={"name": "Mine now"}, headers=member.headers),
        await gateway.delete(f"{ORGS}/{org}/members/{admin.user_id}", headers=member.headers),
        await gateway.put(
            f"{ORGS}/{org}/members/{member.user_id}/role", json={"role": "admin"}, headers=member.headers
        ),
        await gateway.post(
            f"{ORGS}/{org}/invitations", json={"email": "x@example.com"}, headers=member.headers
        ),
    ]
    assert [r.status_code for r in refused_member] == [403] * 4
    assert {r.json()["detail_id"] for r in refused_member} == {"identity.ask-an-organization-admin"}

    # An outsider gets exactly what a missing organization gets: nothing to learn.
    own_org = (await create_organization(gateway, outsider, "Other Co"))["id"]
    for path in (f"{ORGS}/{org}", f"{ORGS}/00000000-0000-0000-0000-000000000000"):
        response = await gateway.patch(path, json={"name": "Taken"}, headers=outsider.headers)
        assert (
            response.status_code == 404
            and response.json()["detail_id"] == "identity.no-organization-of-yours"
        )
    kick = await gateway.delete(f"{ORGS}/{org}/members/{member.user_id}", headers=outsider.headers)
    assert kick.status_code == 404
    # An admin of another organization cannot touch this one's members from their own either.
    cross = await gateway.delete(f"{ORGS}/{own_org}/members/{member.user_id}", headers=outsider.headers)
    assert cross.status_code == 404 and cross.json()["detail_id"] == "identity.no-such-member"
    assert (await mine(gateway, admin))["name"] == "Acme Automation"
    assert len((await mine(gateway, admin))["members"]) == 2


async def test_an_admin_removes_a_member_and_renames_the_organization(gateway, events, accounts):
    admin, member = await accounts.user(), await accounts.user()
    org = (await create_organization(gateway, admin))["id"]
    await join(gateway, admin, org, member, events)
    renamed = await gateway.patch(
        f"{ORGS}/{org}", json={"name": "Acme Robotics", "country": "JP"}, headers=admin.headers
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Acme Robotics"
    assert renamed.json()["country"] == "JP"

    removed = await gateway.delete(f"{ORGS}/{org}/members/{member.user_id}", headers=admin.headers)
    assert removed.status_code == 204
    [event] = await events.wait("OrganizationMemberRemoved", user_id=str(member.user_id))
    assert event["data"]["reason"] == "removed" and event["data"]["organization_id"] == org
    assert await mine(gateway, member) is None
    # Free again: the former member may found an organization of their own.
    await create_organization(gateway, member, "Member's Own")
    assert (await gateway.get(f"{API}/me", headers=member.headers)).status_code == 200


async def test_staff_see_a_customers_organization_and_customers_do_not(gateway, events, accounts, support):
    admin, member = await accounts.user(name="Mei Chen"), await accounts.user()
    org = (await create_organization(gateway, admin, "Acme Automation"))["id"]
    await join(gateway, admin, org, member, events)
    seen = await gateway.get(f"{ORGS}/of-user/{member.user_id}", headers=support["headers"])
    assert seen.status_code == 200, seen.text
    organization = seen.json()["organization"]
    assert organization["id"] == org and organization["my_role"] == "member"
    assert organization["invitations"] == [] and len(organization["members"]) == 2
    loner = await accounts.user()
    assert (await gateway.get(f"{ORGS}/of-user/{loner.user_id}", headers=support["headers"])).json() == {
        "organization": None
    }
    refused = await gateway.get(f"{ORGS}/of-user/{member.user_id}", headers=admin.headers)
    assert refused.status_code == 403
