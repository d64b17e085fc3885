"""Staff administration: search, detail, manual verification, disable/enable, roles, unlock, audit."""

import uuid

import pytest
from sqlalchemy import text

from services.identity import staff
from services.identity.problems import LAST_ADMIN
from shared.auth import Principal
from shared.http.problems import Problem
from tests.identity.helpers import API, bearer, client_ip, login, register, staff_user, verified_user
from tests.kit import service_cli, unique_email


async def test_search_and_detail(gateway, events, support):
    user = await verified_user(gateway, events, name="Searchable Person")
    found = await gateway.get(
        f"{API}/admin/users", params={"q": user["email"].upper()}, headers=support["headers"]
    )
    assert found.status_code == 200
    assert [u["id"] for u in found.json()["items"]] == [user["id"]] and found.json()["total"] == 1
    by_name = await gateway.get(
        f"{API}/admin/users", params={"q": "searchable", "limit": 200}, headers=support["headers"]
    )
    assert user["id"] in {u["id"] for u in by_name.json()["items"]}
    detail = (await gateway.get(f"{API}/admin/users/{user['id']}", headers=support["headers"])).json()
    assert (
        detail["email_verified"] is True and detail["email_verified_at"] and detail["lock"]["locked"] is False
    )
    assert detail["active_sessions"] == 1
    missing = await gateway.get(
        f"{API}/admin/users/00000000-0000-0000-0000-000000000000", headers=support["headers"]
    )
    assert missing.status_code == 404
    bad = await gateway.get(f"{API}/admin/users/not-a-uuid", headers=support["headers"])
    assert bad.status_code == 422


async def test_staff_verification_is_audited_and_emits_userverified_once(gateway, events, support):
    body = await register(gateway)
    user_id = (await events.wait("UserRegistered", email=body["email"]))[0]["data"]["user_id"]
    reason = "Customer in a region that blocks our mail; confirmed by sales"
    for _ in range(2):
        response = await gateway.post(
            f"{API}/admin/users/{user_id}/verify", json={"reason": reason}, headers=support["headers"]
        )
        assert response.status_code == 200 and response.json()["email_verified"] is True
    verified = await events.wait("UserVerified", user_id=user_id)
    assert (
        verified[0]["data"]["verified_by"] == "staff" and len(events.of("UserVerified", user_id=user_id)) == 1
    )
    assert (await login(gateway, body["email"], body["password"])).status_code == 200
    audit = (
        await gateway.get(f"{API}/admin/audit", params={"target": user_id}, headers=support["headers"])
    ).json()
    actions = [(e["action"], e["actor_email"], e["reason"], e["details"]["changed"]) for e in audit["items"]]
    assert actions == [
        ("verify", support["email"], reason, False),
        ("verify", support["email"], reason, True),
    ]
    no_reason = await gateway.post(f"{API}/admin/users/{user_id}/verify", json={}, headers=support["headers"])
    assert no_reason.status_code == 422


async def test_support_may_unlock_with_a_reason_but_not_disable_or_change_roles(gateway, events, support):
    user = await verified_user(gateway, events)
    for method, path, body in [
        ("POST", "disable", {"reason": "not allowed"}),
        ("POST", "enable", {"reason": "not allowed"}),
        ("PUT", "roles", {"roles": ["admin"], "reason": "not allowed"}),
    ]:
        response = await gateway.request(
            method, f"{API}/admin/users/{user['id']}/{path}", json=body, headers=support["headers"]
        )
        assert response.status_code == 403, path
    unlock = f"{API}/admin/users/{user['id']}/unlock"
    for body in ({}, {"reason": "  "}):  # the audit log needs a reason
        refused = await gateway.post(unlock, json=body, headers=support["headers"])
        assert refused.status_code == 422 and refused.headers["content-type"].startswith(
            "application/problem+json"
        )
    unlocked = await gateway.post(
        unlock, json={"reason": "caller proved who they are"}, headers=support["headers"]
    )
    assert unlocked.status_code == 200, unlocked.text
    audit = (
        await gateway.get(f"{API}/admin/audit", params={"target": user["id"]}, headers=support["headers"])
    ).json()
    assert [(e["action"], e["actor_email"], e["reason"]) for e in audit["items"]] == [
        ("unlock", support["email"], "caller proved who they are")
    ]


async def test_search_shows_state_and_narrows_by_role_and_state(gateway, events, admin):
    user = await verified_user(gateway, events, name="Narrowed Search Person")
    target = f"{API}/admin/users/{user['id']}"

    async def listed(**params: str) -> dict:
        found = await gateway.get(
            f"{API}/admin/users", params={"q": user["email"], **params}, headers=admin["headers"]
        )
        assert found.status_code == 200, found.text
        return {u["id"]: u for u in found.json()["items"]}

    [row] = (await listed()).values()
    assert (row["disabled"], row["locked"], row["email_verified"]) == (False, False, True)
    assert row["last_sign_in_at"] is not None  # verified_user signed in
    assert await listed(state="locked") == {} and await listed(role="release") == {}
    attacker = client_ip()
    for _ in range(5):
        await login(gateway, user["email"], "Wrong-Password-77", **{"X-Forwarded-For": attacker})
    assert (await listed(state="locked"))[user["id"]]["locked"] is True
    await gateway.post(f"{target}/disable", json={"reason": "abuse report"}, headers=admin["headers"])
    assert (await listed(state="disabled"))[user["id"]]["disabled"] is True
    await gateway.put(
        f"{target}/roles",
        json={"roles": ["customer", "release"], "reason": "product team"},
        headers=admin["headers"],
    )
    assert user["id"] in await listed(role="release")
    assert await listed(state="unverified") == {}
    for bad in ({"role": "root"}, {"state": "sleeping"}):
        refused = await gateway.get(f"{API}/admin/users", params=bad, headers=admin["headers"])
        assert refused.status_code == 422, bad


async def test_disable_enable_roles_unlock_round_trip_with_audit(gateway, events, admin):
    user = await verified_user(gateway, events)
    target = f"{API}/admin/users/{user['id']}"
    assert (
        await gateway.post(f"{target}/disable", json={"reason": "abuse report"}, headers=admin["headers"])
    ).json()["disabled"]
    assert (
        await gateway.post(f"{target}/enable", json={"reason": "resolved"}, headers=admin["headers"])
    ).json()["disabled"] is False
    roles = await gateway.put(
        f"{target}/roles",
        json={"roles": ["customer", "release"], "reason": "release manager"},
        headers=admin["headers"],
    )
    assert roles.status_code == 200 and roles.json()["roles"] == ["customer", "release"]
    bad_role = await gateway.put(
        f"{target}/roles", json={"roles": ["root"], "reason": "typo"}, headers=admin["headers"]
    )
    assert bad_role.status_code == 422
    no_reason = await gateway.put(f"{target}/roles", json={"roles": ["customer"]}, headers=admin["headers"])
    assert no_reason.status_code == 422
    attacker = client_ip()
    for _ in range(5):
        await login(gateway, user["email"], "Wrong-Password-77", **{"X-Forwarded-For": attacker})
    assert (await gateway.get(target, headers=admin["headers"])).json()["lock"]["locked"] is True
    unlocked = await gateway.post(f"{target}/unlock", json={"reason": "called us"}, headers=admin["headers"])
    assert unlocked.json()["lock"]["locked"] is False
    signed_in = await login(gateway, user["email"], user["password"], **{"X-Forwarded-For": attacker})
    assert signed_in.status_code == 200
    me = (await gateway.get(f"{API}/me", headers=bearer(signed_in.json()["access_token"]))).json()
    assert me["roles"] == ["customer", "release"]
    audit = (
        await gateway.get(f"{API}/admin/audit", params={"target": user["id"]}, headers=admin["headers"])
    ).json()
    assert [e["action"] for e in audit["items"]] == ["unlock", "set_roles", "enable", "disable"]
    assert audit["items"][1]["details"] == {"before": ["customer"], "after": ["customer", "release"]}
    assert all(e["actor_id"] == admin["id"] for e in audit["items"])


async def test_admin_cannot_demote_or_disable_themselves(gateway, admin):
    own = f"{API}/admin/users/{admin['id']}"
    demote = await gateway.put(
        f"{own}/roles", json={"roles": ["customer"], "reason": "stepping down"}, headers=admin["headers"]
    )
    assert demote.status_code == 409 and demote.json()["detail_id"] == "identity.ask-another-admin-for-role"
    disable = await gateway.post(f"{own}/disable", json={"reason": "oops"}, headers=admin["headers"])
    assert (
        disable.status_code == 409 and disable.json()["detail_id"] == "identity.ask-another-admin-to-disable"
    )


async def test_the_last_active_administrator_can_be_neither_demoted_nor_disabled(service_session, stack):
    """The shared test database holds many administrators: the rule is checked in a transaction
    that first disables every other one (rolled back at the end). The acting administrator's
    token still says admin while the database no longer does, as after a demotion elsewhere."""
    actor_id = uuid.UUID(staff_user(stack, "admin")["id"])
    last_id = uuid.UUID(staff_user(stack, "admin")["id"])
    actor = Principal(user_id=actor_id, roles=frozenset({"admin"}), email="actor@example.com")
    async with service_session("identity") as session:
        await session.execute(
            text("UPDATE users SET disabled_at = now() WHERE 'admin' = ANY(roles) AND id <> :last"),
            {"last": last_id},
        )
        for change in (
            staff.set_roles(session, actor, last_id, ["customer"], "demote the last one"),
            staff.set_disabled(session, actor, last_id, True, "disable the last one"),
        ):
            with pytest.raises(Problem) as refused:
                await change
            assert refused.value.type is LAST_ADMIN and refused.value.detail is not None
            assert refused.value.detail.id == "identity.last-admin-stays"
        # Keeping the admin role (or adding one) is no demotion.
        kept = await staff.set_roles(session, actor, last_id, ["admin", "support"], "more duties")
        assert kept.user.roles == ["admin", "support"]
        # A second enabled administrator makes the demotion possible.
        await session.execute(text("UPDATE users SET disabled_at = NULL WHERE id = :id"), {"id": actor_id})
        demoted = await staff.set_roles(session, actor, last_id, ["customer"], "now there are two")
        assert demoted.user.roles == ["customer"]


async def test_cli_create_user_is_idempotent_and_updates_roles_and_verification(stack, gateway, events):
    email = unique_email("seed")
    args = [
        "create-user",
        "--email",
        email,
        "--name",
        "Seed User",
        "--phone",
        "0912345678",
        "--password",
        "Planted-Harbor-4410",
    ]
    first = service_cli(stack, "identity", *args).strip()
    assert (await login(gateway, email, "Planted-Harbor-4410")).status_code == 403  # not verified yet
    second = service_cli(stack, "identity", *args, "--roles", "customer,release", "--verified").strip()
    assert first == second
    signed_in = await login(gateway, email, "Planted-Harbor-4410")
    assert signed_in.status_code == 200
    me = (await gateway.get(f"{API}/me", headers=bearer(signed_in.json()["access_token"]))).json()
    assert me["roles"] == ["customer", "release"] and me["phone"] == "+886912345678"
    await events.wait("UserVerified", user_id=first)
    assert service_cli(stack, "identity", "verify", "--email", email, "--reason", "already").strip() == first
