"""The signed-in user's profile, email change, and isolation between customers."""

from tests.identity.helpers import API, bearer, login, verified_user


async def test_me_shows_the_profile(gateway, events):
    user = await verified_user(gateway, events, phone="+81 90-1234-5678", locale="ja")
    me = (await gateway.get(f"{API}/me", headers=bearer(user["access_token"]))).json()
    assert me["email"] == user["email"] and me["phone"] == "+819012345678" and me["locale"] == "ja"
    assert me["roles"] == ["customer"] and me["email_verified"] is True and me["created_at"]
    assert set(me) == {"id", "name", "phone", "email", "locale", "roles", "email_verified", "created_at"}


async def test_patch_me_changes_and_emits_profile_changed(gateway, events):
    user = await verified_user(gateway, events)
    response = await gateway.patch(
        f"{API}/me",
        json={"name": "陳美玲", "phone": "02 2345 6789", "locale": "zh-CN"},
        headers=bearer(user["access_token"]),
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "+886223456789" and response.json()["locale"] == "zh-CN"
    changed = (await events.wait("UserProfileChanged", user_id=user["id"]))[-1]["data"]
    assert changed["name"] == "陳美玲" and changed["locale"] == "zh-CN" and changed["previous_email"] is None
    invalid = await gateway.patch(f"{API}/me", json={"phone": "1"}, headers=bearer(user["access_token"]))
    assert invalid.status_code == 422
    roles = await gateway.patch(f"{API}/me", json={"roles": ["admin"]}, headers=bearer(user["access_token"]))
    assert roles.status_code == 422, "roles are not self-service"


async def test_email_change_applies_only_when_the_new_address_is_verified(gateway, events):
    user = await verified_user(gateway, events)
    new_email = "New." + user["email"]
    headers = bearer(user["access_token"])
    wrong = await gateway.post(
        f"{API}/me/email", json={"new_email": new_email, "password": "Wrong-1234567"}, headers=headers
    )
    assert wrong.status_code == 403
    response = await gateway.post(
        f"{API}/me/email", json={"new_email": new_email, "password": user["password"]}, headers=headers
    )
    assert response.status_code == 202
    requested = (await events.wait("VerificationRequested", email=new_email))[0]["data"]
    assert requested["reason"] == "email_change"
    assert (await gateway.get(f"{API}/me", headers=headers)).json()["email"] == user["email"], "not yet"
    token = requested["verify_url"].split("token=")[1]
    assert (await gateway.post(f"{API}/auth/verify", json={"token": token})).status_code == 200
    assert (await gateway.get(f"{API}/me", headers=headers)).json()["email"] == new_email
    changed = (await events.wait("UserProfileChanged", email=new_email))[0]["data"]
    assert changed["previous_email"] == user["email"]
    assert (await login(gateway, new_email, user["password"])).status_code == 200
    assert (await login(gateway, user["email"], user["password"])).status_code == 401


async def test_email_change_to_a_taken_address_answers_the_same_and_changes_nothing(gateway, events):
    first = await verified_user(gateway, events)
    second = await verified_user(gateway, events)
    response = await gateway.post(
        f"{API}/me/email",
        json={"new_email": first["email"], "password": second["password"]},
        headers=bearer(second["access_token"]),
    )
    assert response.status_code == 202
    assert [
        e
        for e in events.of("VerificationRequested", email=first["email"])
        if e["data"]["reason"] == "email_change"
    ] == []


async def test_customers_cannot_reach_each_other_or_admin_endpoints(gateway, events):
    alice = await verified_user(gateway, events)
    bob = await verified_user(gateway, events)
    as_alice = bearer(alice["access_token"])
    assert (await gateway.get(f"{API}/me", headers=as_alice)).json()["id"] == alice["id"]
    for method, path, body in [
        ("GET", f"/admin/users/{bob['id']}", None),
        ("GET", "/admin/users?q=" + bob["email"], None),
        ("POST", f"/admin/users/{bob['id']}/disable", {"reason": "takeover"}),
        ("PUT", f"/admin/users/{alice['id']}/roles", {"roles": ["admin"]}),
        ("POST", f"/admin/users/{bob['id']}/verify", {"reason": "takeover"}),
        ("GET", "/admin/audit", None),
    ]:
        response = await gateway.request(method, f"{API}{path}", json=body, headers=as_alice)
        assert response.status_code == 403, (method, path, response.text)
    # Nothing in /me takes an id: Bob's data stays Bob's.
    patched = await gateway.patch(f"{API}/me", json={"name": "Alice A"}, headers=as_alice)
    assert patched.json()["id"] == alice["id"]
    bob_me = (await gateway.get(f"{API}/me", headers=bearer(bob["access_token"]))).json()
    assert bob_me["name"] == bob["name"]
    assert (await gateway.get(f"{API}/me")).status_code == 401
