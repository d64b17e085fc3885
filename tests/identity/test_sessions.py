"""Refresh rotation, reuse detection, logout and logout-all."""

from tests.identity.helpers import API, bearer, login, verified_user


async def _refresh(gateway, token: str):
    return await gateway.post(f"{API}/auth/refresh", json={"refresh_token": token})


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(gateway, events):
    user = await verified_user(gateway, events)
    first = await _refresh(gateway, user["refresh_token"])
    assert first.status_code == 200
    second_token = first.json()["refresh_token"]
    assert second_token != user["refresh_token"]
    assert (await gateway.get(f"{API}/me", headers=bearer(first.json()["access_token"]))).status_code == 200

    reused = await _refresh(gateway, user["refresh_token"])
    assert reused.status_code == 401 and reused.json()["type"] == "/problems/invalid-refresh-token"
    # The thief's (or the client's) newer token died with the family.
    assert (await _refresh(gateway, second_token)).status_code == 401
    assert (await gateway.get(f"{API}/me", headers=bearer(first.json()["access_token"]))).status_code == 401


async def test_refresh_from_the_cookie(gateway, events):
    user = await verified_user(gateway, events)
    response = await gateway.post(
        f"{API}/auth/refresh", headers={"Cookie": f"refresh_token={user['refresh_token']}"}
    )
    assert response.status_code == 200, response.text
    assert "refresh_token=" in response.headers["set-cookie"]


async def test_refresh_without_or_with_unknown_token_is_401(gateway):
    assert (await gateway.post(f"{API}/auth/refresh")).status_code == 401
    assert (await _refresh(gateway, "unknown-token")).status_code == 401


async def test_logout_ends_only_this_session(gateway, events):
    user = await verified_user(gateway, events)
    other = (await login(gateway, user["email"], user["password"])).json()
    response = await gateway.post(f"{API}/auth/logout", headers=bearer(user["access_token"]))
    assert response.status_code == 204
    assert (
        "refresh_token=" in response.headers["set-cookie"] and "Max-Age=0" in response.headers["set-cookie"]
    )
    assert (await _refresh(gateway, user["refresh_token"])).status_code == 401
    assert (await gateway.get(f"{API}/me", headers=bearer(user["access_token"]))).status_code == 401
    assert (await gateway.get(f"{API}/me", headers=bearer(other["access_token"]))).status_code == 200
    assert (await _refresh(gateway, other["refresh_token"])).status_code == 200


async def test_logout_with_only_a_refresh_token(gateway, events):
    user = await verified_user(gateway, events)
    response = await gateway.post(f"{API}/auth/logout", json={"refresh_token": user["refresh_token"]})
    assert response.status_code == 204
    assert (await _refresh(gateway, user["refresh_token"])).status_code == 401


async def test_logout_all_ends_every_session(gateway, events):
    user = await verified_user(gateway, events)
    other = (await login(gateway, user["email"], user["password"])).json()
    assert (
        await gateway.post(f"{API}/auth/logout-all", headers=bearer(other["access_token"]))
    ).status_code == 204
    for tokens in (user, other):
        assert (await _refresh(gateway, tokens["refresh_token"])).status_code == 401
        assert (await gateway.get(f"{API}/me", headers=bearer(tokens["access_token"]))).status_code == 401
    assert (await gateway.post(f"{API}/auth/logout-all")).status_code == 401
