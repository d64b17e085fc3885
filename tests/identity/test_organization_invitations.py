"""Invitations into an organization: mailed in the invitee's language, for existing accounts and
new ones, single use, expiring, revocable, bound to the invited address, rate limited."""

import asyncio
import uuid

from tests.accounts import new_account
from tests.identity.helpers import API, bearer, login, register
from tests.kit import unique_email
from tests.organizations import ORGS, accept, create_organization, invite, mine, token_of


async def _sent(events, email: str, count: int = 1) -> dict:
    found = await events.wait("OrganizationInvitationSent", email=email, count=count)
    return found[-1]["data"]


async def test_an_existing_account_is_invited_in_its_own_language_and_joins(gateway, events, accounts, stack):
    admin = await accounts.user(name="Mei Chen")
    colleague = await new_account(stack, "customer", name="Kenji Sato", locale="ja")
    org = (await create_organization(gateway, admin, "Acme Automation"))["id"]
    invited = await invite(gateway, admin, org, colleague.email.upper(), locale="zh-CN")
    assert invited.status_code == 201, invited.text
    assert invited.json()["status"] == "pending" and invited.json()["role"] == "member"

    sent = await _sent(events, colleague.email)
    assert sent["locale"] == "ja", "the account's own language wins over the one asked for"
    assert sent["name"] == "Kenji Sato" and sent["inviter_name"] == "Mei Chen"
    assert sent["organization_name"] == "Acme Automation" and sent["expires_in_hours"] == 72
    token = token_of(sent["accept_url"])
    assert "/organization/join?token=" in sent["accept_url"]

    preview = await gateway.post(f"{ORGS}/invitations/preview", json={"token": token})
    assert preview.status_code == 200
    assert (
        preview.json()["organization_name"] == "Acme Automation"
        and preview.json()["inviter_name"] == "Mei Chen"
    )

    joined = await accept(gateway, colleague, token)
    assert joined.status_code == 200, joined.text
    assert joined.json()["my_role"] == "member" and joined.json()["invitations"] == []
    [added] = await events.wait("OrganizationMemberAdded", user_id=str(colleague.user_id))
    assert added["data"]["organization_id"] == org and added["data"]["bring_licenses"] is False
    admin_view = await mine(gateway, admin)
    assert {m["email"] for m in admin_view["members"]} == {admin.email, colleague.email}
    assert [i["status"] for i in admin_view["invitations"]] == ["accepted"]

    again = await accept(gateway, colleague, token)
    assert again.status_code == 400 and again.json()["detail_id"] == "identity.invitation-used"
    invited_again = await invite(gateway, admin, org, colleague.email)
    assert (
        invited_again.status_code == 409
        and invited_again.json()["detail_id"] == "identity.already-member-here"
    )


async def test_a_new_colleague_registers_from_the_mail_and_joins(gateway, events, accounts, mailpit):
    admin = await accounts.user()
    org = (await create_organization(gateway, admin, "Acme Automation"))["id"]
    email = unique_email("colleague")
    assert (await invite(gateway, admin, org, email, locale="zh-TW")).status_code == 201
    [mail] = await mailpit.wait_for(email)
    assert "Acme Automation" in mail["Subject"] and "邀請" in mail["Subject"], mail["Subject"]
    link = await mailpit.link_in(mail["ID"], r"https?://\S+?/organization/join\?token=[\w\-]+")
    token = token_of(link)

    body = await register(gateway, email=email, locale="zh-TW")
    verify_token = await events.token("VerificationRequested", email)
    assert (await gateway.post(f"{API}/auth/verify", json={"token": verify_token})).status_code == 200
    signed_in = await login(gateway, email, body["password"])
    headers = bearer(signed_in.json()["access_token"])
    joined = await gateway.post(f"{ORGS}/invitations/accept", json={"token": token}, headers=headers)
    assert joined.status_code == 200, joined.text
    assert {m["email"] for m in joined.json()["members"]} == {admin.email, email}


async def test_an_invitation_works_only_for_its_address_and_while_pending(
    gateway, events, accounts, identity_db
):
    admin, invitee, stranger = await accounts.user(), await accounts.user(), await accounts.user()
    org = (await create_organization(gateway, admin))["id"]
    assert (await invite(gateway, admin, org, invitee.email)).status_code == 201
    token = token_of((await _sent(events, invitee.email))["accept_url"])

    forwarded = await accept(gateway, stranger, token)
    assert forwarded.status_code == 403 and forwarded.json()["detail_id"] == "identity.sign-in-as-invitee"
    assert await mine(gateway, stranger) is None
    unknown = await accept(gateway, invitee, "not-a-token")
    assert unknown.status_code == 400 and unknown.json()["type"].endswith("/invitation-invalid")

    # Inviting again replaces the pending invitation: the old link stops working.
    second = await invite(gateway, admin, org, invitee.email)
    assert second.status_code == 201
    replaced = await accept(gateway, invitee, token)
    assert replaced.status_code == 400
    new_token = token_of((await _sent(events, invitee.email, count=2))["accept_url"])

    revoked = await gateway.delete(f"{ORGS}/{org}/invitations/{second.json()['id']}", headers=admin.headers)
    assert revoked.status_code == 204
    assert (await accept(gateway, invitee, new_token)).status_code == 400
    twice = await gateway.delete(f"{ORGS}/{org}/invitations/{second.json()['id']}", headers=admin.headers)
    assert twice.status_code == 404 and twice.json()["detail_id"] == "identity.no-such-invitation"

    third = await invite(gateway, admin, org, invitee.email)
    expired_token = token_of((await _sent(events, invitee.email, count=3))["accept_url"])
    await identity_db.execute(
        "UPDATE organization_invitations SET expires_at = now() - interval '1 minute' WHERE id = $1",
        uuid.UUID(third.json()["id"]),
    )
    expired = await accept(gateway, invitee, expired_token)
    assert expired.status_code == 410 and expired.json()["detail_id"] == "identity.invitation-expired"
    preview = await gateway.post(f"{ORGS}/invitations/preview", json={"token": expired_token})
    assert preview.status_code == 410
    assert await mine(gateway, invitee) is None
    statuses = sorted(i["status"] for i in (await mine(gateway, admin))["invitations"])
    assert statuses == ["expired", "revoked", "revoked"]


async def test_a_member_of_another_organization_must_leave_it_first(gateway, events, accounts):
    admin, busy = await accounts.user(), await accounts.user()
    org = (await create_organization(gateway, admin))["id"]
    own = (await create_organization(gateway, busy, "Busy Co"))["id"]
    invited = await invite(gateway, admin, org, busy.email)
    assert invited.status_code == 201, "the answer does not tell where the address belongs"
    token = token_of((await _sent(events, busy.email))["accept_url"])
    refused = await accept(gateway, busy, token)
    assert refused.status_code == 409 and refused.json()["detail_id"] == "identity.leave-organization-first"
    assert (await mine(gateway, busy))["id"] == own


async def test_two_clicks_on_one_invitation_make_one_membership(gateway, events, accounts):
    admin, invitee = await accounts.user(), await accounts.user()
    org = (await create_organization(gateway, admin))["id"]
    assert (await invite(gateway, admin, org, invitee.email)).status_code == 201
    token = token_of((await _sent(events, invitee.email))["accept_url"])
    answers = await asyncio.gather(accept(gateway, invitee, token), accept(gateway, invitee, token))
    assert sorted(a.status_code for a in answers) == [200, 400]
    assert len((await mine(gateway, admin))["members"]) == 2
    # The invitee then leaves: that event is keyed by the same person, so it arrives after every
    # "added" event the two clicks committed; by then exactly one may have come.
    left = await gateway.delete(f"{ORGS}/{org}/members/{invitee.user_id}", headers=invitee.headers)
    assert left.status_code == 204, left.text
    await events.wait("OrganizationMemberRemoved", user_id=str(invitee.user_id))
    assert len(events.of("OrganizationMemberAdded", user_id=str(invitee.user_id))) == 1


async def test_invitations_are_rate_limited_per_organization(gateway, accounts, identity_db):
    admin = await accounts.user()
    org = (await create_organization(gateway, admin))["id"]
    # Fill the organization's hour as 30 invitations would, then ask for one more.
    await identity_db.execute(
        "INSERT INTO rate_events (key, at) SELECT $1, now() FROM generate_series(1, 30)",
        f"invite:organization:{org}",
    )
    refused = await invite(gateway, admin, org, unique_email("late"))
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.json()["detail_id"] == "identity.too-many-invitations"
    assert (await mine(gateway, admin))["invitations"] == [], "a refused invitation leaves nothing"
