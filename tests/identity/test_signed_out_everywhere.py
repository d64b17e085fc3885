"""Signed out means out everywhere: once identity ends a session, every service refuses its
access token within moments (SessionsRevoked), not when the token expires 600 s later."""

import httpx

from tests.identity.helpers import API, bearer, login, verified_user
from tests.kit import eventually

# One customer-facing read per service; the notifier has staff endpoints only (403 while valid).
READS = {
    "licensing": "/api/licensing/me/licenses",
    "downloads": "/api/downloads/releases",
    "cases": "/api/cases/cases",
    "notifier": "/api/notifier/admin/deliveries",
}


async def _statuses(gateway: httpx.AsyncClient, token: str) -> dict[str, int]:
    return {
        name: (await gateway.get(path, headers=bearer(token))).status_code for name, path in READS.items()
    }


async def _refused_everywhere(gateway: httpx.AsyncClient, token: str) -> None:
    async def all_401() -> dict[str, int] | None:
        statuses = await _statuses(gateway, token)
        return statuses if set(statuses.values()) == {401} else None

    await eventually(all_401, timeout=10, interval=0.1, what="every service refuses the ended session")


async def test_a_signed_out_token_is_refused_by_every_service_while_other_sessions_go_on(gateway, events):
    user = await verified_user(gateway, events)
    other = (await login(gateway, user["email"], user["password"])).json()
    before = await _statuses(gateway, user["access_token"])
    assert before == {"licensing": 200, "downloads": 200, "cases": 200, "notifier": 403}

    assert (await gateway.post(f"{API}/auth/logout", headers=bearer(user["access_token"]))).status_code == 204
    await _refused_everywhere(gateway, user["access_token"])
    refused = await gateway.get(READS["licensing"], headers=bearer(user["access_token"]))
    assert refused.json()["type"] == "/problems/unauthorized"
    assert await _statuses(gateway, other["access_token"]) == before


async def test_sign_out_everywhere_ends_every_token(gateway, events):
    user = await verified_user(gateway, events)
    other = (await login(gateway, user["email"], user["password"])).json()
    ended = await gateway.post(f"{API}/auth/logout-all", headers=bearer(other["access_token"]))
    assert ended.status_code == 204
    await _refused_everywhere(gateway, user["access_token"])
    await _refused_everywhere(gateway, other["access_token"])
