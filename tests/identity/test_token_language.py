"""Access tokens carry the account's language (`lng`), so every service answers a request that
names no language in the language the account chose."""

import uuid

import httpx
import jwt

from shared.auth import NEEDS_ROLE
from tests.identity.helpers import API, IdentityEvents, bearer, verified_user

LICENSING = "/api/licensing"


def claims_of(access_token: str) -> dict:
    # Only the claim is read here; every service verifies the signature (tests/identity/test_tokens.py).
    return jwt.decode(access_token, options={"verify_signature": False})


async def test_another_service_answers_in_the_accounts_language(
    gateway: httpx.AsyncClient, events: IdentityEvents
) -> None:
    user = await verified_user(gateway, events, locale="ja")
    assert claims_of(user["access_token"])["lng"] == "ja"
    headers = bearer(user["access_token"])
    assert "accept-language" not in {name.lower() for name in gateway.headers}

    forbidden = await gateway.get(f"{LICENSING}/admin/licenses", headers=headers)
    assert forbidden.status_code == 403, forbidden.text
    assert forbidden.headers["content-language"] == "ja"
    body = forbidden.json()
    assert body["title"] == "この操作を行う権限がありません"
    assert body["detail_id"] == NEEDS_ROLE.id
    assert body["detail"].startswith(NEEDS_ROLE.ja.split("{")[0])

    missing = await gateway.get(f"{LICENSING}/me/licenses/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404, missing.text
    assert missing.headers["content-language"] == "ja"

    # A language the request names still wins over the account's.
    asked = await gateway.get(f"{LICENSING}/admin/licenses", headers={**headers, "Accept-Language": "en"})
    assert asked.headers["content-language"] == "en"


async def test_a_changed_language_travels_in_the_next_token(
    gateway: httpx.AsyncClient, events: IdentityEvents
) -> None:
    user = await verified_user(gateway, events, locale="en")
    assert claims_of(user["access_token"])["lng"] == "en"
    changed = await gateway.patch(f"{API}/me", json={"locale": "zh-CN"}, headers=bearer(user["access_token"]))
    assert changed.status_code == 200, changed.text
    refreshed = await gateway.post(f"{API}/auth/refresh", json={"refresh_token": user["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    token = refreshed.json()["access_token"]
    assert claims_of(token)["lng"] == "zh-CN"
    refused = await gateway.get(f"{LICENSING}/admin/licenses", headers=bearer(token))
    assert refused.status_code == 403
    assert refused.headers["content-language"] == "zh-CN"
    assert refused.json()["detail"].startswith(NEEDS_ROLE.zh_cn.split("{")[0])
