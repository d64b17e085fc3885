"""The account console's sessions: every live session listed with a readable device, the
current one marked; ending one (or all others) stops its tokens at once; nobody ends another
account's session (404, as for an id that does not exist)."""

import uuid

from tests.identity.helpers import API, bearer, login, verified_user
from tests.identity.test_signed_out_everywhere import _refused_everywhere
from tests.kit import client_ip

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


async def _sessions(gateway, token: str) -> list[dict]:
    response = await gateway.get(f"{API}/me/sessions", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()


async def _refresh(gateway, token: str):
    return await gateway.post(f"{API}/auth/refresh", json={"refresh_token": token})


async def test_sessions_are_listed_with_device_address_and_the_current_one_marked(gateway, events):
    user = await verified_user(gateway, events)
    address = client_ip()
    laptop = await gateway.post(
        f"{API}/auth/login",
        json={"email": user["email"], "password": user["password"]},
        headers={"X-Forwarded-For": address, "User-Agent": FIREFOX},
    )
    assert laptop.status_code == 200, laptop.text
    listed = await _sessions(gateway, laptop.json()["access_token"])
    assert len(listed) == 2
    mine = [s for s in listed if s["current"]]
    assert len(mine) == 1
    assert (mine[0]["browser"], mine[0]["system"], mine[0]["address"]) == ("Firefox 121", "Linux", address)
    assert "user_agent" not in mine[0]

    # The other session's last use moves when it refreshes (and only then).
    other_id = next(s["id"] for s in listed if not s["current"])
    before = next(s for s in listed if s["id"] == other_id)["last_used_at"]
    assert (await _refresh(gateway, user["refresh_token"])).status_code == 200
    after = next(s for s in await _sessions(gateway, laptop.json()["access_token"]) if s["id"] == other_id)
    assert after["last_used_at"] > before


async def test_ending_one_session_stops_it_everywhere_and_keeps_the_others(gateway, events):
    user = await verified_user(gateway, events)
    phone = (await login(gateway, user["email"], user["password"])).json()
    listed = await _sessions(gateway, phone["access_token"])
    victim = next(s["id"] for s in listed if not s["current"])  # the first sign-in's session

    ended = await gateway.delete(f"{API}/me/sessions/{victim}", headers=bearer(phone["access_token"]))
    assert ended.status_code == 204, ended.text
    assert (await _refresh(gateway, user["refresh_token"])).status_code == 401
    assert (await gateway.get(f"{API}/me", headers=bearer(user["access_token"]))).status_code == 401
    await _refused_everywhere(gateway, user["access_token"])
    assert [s["id"] for s in await _sessions(gateway, phone["access_token"])] != [victim]
    assert (await _refresh(gateway, phone["refresh_token"])).status_code == 200

    again = await gateway.delete(f"{API}/me/sessions/{victim}", headers=bearer(phone["access_token"]))
    assert again.status_code == 404 and again.json()["detail_id"] == "identity.no-such-session"


async def test_another_accounts_session_cannot_be_ended_or_seen(gateway, events):
    owner = await verified_user(gateway, events)
    stranger = await verified_user(gateway, events)
    owner_session = (await _sessions(gateway, owner["access_token"]))[0]["id"]
    assert owner_session not in {s["id"] for s in await _sessions(gateway, stranger["access_token"])}

    tried = await gateway.delete(
        f"{API}/me/sessions/{owner_session}", headers=bearer(stranger["access_token"])
    )
    unknown = await gateway.delete(
        f"{API}/me/sessions/{uuid.uuid4()}", headers=bearer(stranger["access_token"])
    )
    assert tried.status_code == unknown.status_code == 404
    assert tried.headers["content-type"].startswith("application/problem+json")
    assert tried.json()["detail_id"] == unknown.json()["detail_id"] == "identity.no-such-session"
    assert (await _refresh(gateway, owner["refresh_token"])).status_code == 200

    malformed = await gateway.delete(f"{API}/me/sessions/not-an-id", headers=bearer(stranger["access_token"]))
    assert malformed.status_code == 422 and malformed.json()["type"] == "/problems/validation"
    assert (await gateway.get(f"{API}/me/sessions")).status_code == 401


async def test_signing_out_the_others_keeps_only_this_session(gateway, events):
    user = await verified_user(gateway, events)
    second = (await login(gateway, user["email"], user["password"])).json()
    third = (await login(gateway, user["email"], user["password"])).json()
    response = await gateway.post(f"{API}/me/sessions/sign-out-others", headers=bearer(third["access_token"]))
    assert response.status_code == 204, response.text
    left = await _sessions(gateway, third["access_token"])
    assert len(left) == 1 and left[0]["current"]
    for ended in (user, second):
        assert (await _refresh(gateway, ended["refresh_token"])).status_code == 401
        await _refused_everywhere(gateway, ended["access_token"])
    assert (await _refresh(gateway, third["refresh_token"])).status_code == 200
