"""Sign-in: tokens and cookie, identical refusals, lockout and backoff, rehash on login."""

import asyncio
import base64
import json

import httpx
import jwt

from tests.identity.helpers import API, bearer, client_ip, login, verified_user
from tests.kit import unique_email


def claims_of(token: str) -> tuple[dict, dict]:
    header = jwt.get_unverified_header(token)
    return header, jwt.decode(token, options={"verify_signature": False})


async def test_login_returns_eddsa_token_and_strict_refresh_cookie(gateway, events):
    user = await verified_user(gateway, events)
    response = await login(gateway, user["email"].upper(), user["password"])
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600 and body["refresh_token"]
    header, claims = claims_of(body["access_token"])
    assert header["alg"] == "EdDSA" and header["kid"]
    assert claims["iss"] == "support-portal-identity" and claims["aud"] == "support-portal"
    assert (
        claims["sub"] == user["id"] and claims["roles"] == ["customer"] and claims["email"] == user["email"]
    )
    assert {"sid", "iat", "exp", "jti"} <= claims.keys() and claims["exp"] - claims["iat"] == 600
    cookie = response.headers["set-cookie"]
    assert f"refresh_token={body['refresh_token']}" in cookie
    for attribute in ("Secure", "HttpOnly", "SameSite=strict", "Path=/api/identity/auth"):
        assert attribute.lower() in cookie.lower()
    keys = (await gateway.get("/.well-known/jwks.json")).json()["keys"]
    assert header["kid"] in {k["kid"] for k in keys}
    assert all("d" not in k for k in keys), "no private material in the JWKS"


async def test_wrong_password_and_unknown_email_get_the_same_answer(gateway, events):
    user = await verified_user(gateway, events)
    wrong = await login(gateway, user["email"], "Not-The-Password-1")
    unknown = await login(gateway, unique_email("ghost"), "Not-The-Password-1")
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda r: {k: v for k, v in r.json().items() if k not in ("request_id",)}  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert wrong.json()["type"] == "/problems/invalid-credentials"


async def test_guessing_from_one_address_locks_that_address_out_of_that_account_only(
    gateway, events, admin, identity_db
):
    user = await verified_user(gateway, events)
    attacker = client_ip()
    guesses = [
        await login(gateway, user["email"], f"Guess-{i}-abcdefg", **{"X-Forwarded-For": attacker})
        for i in range(5)
    ]
    assert [g.status_code for g in guesses] == [401] * 5
    locked = await login(
        gateway, user["email"], user["password"], **{"Accept-Language": "ja", "X-Forwarded-For": attacker}
    )
    assert locked.status_code == 429, "even the right password waits out the lock at that address"
    assert locked.json()["type"] == "/problems/locked"
    assert locked.json()["title"] == "サインインの失敗が多すぎるため、一時的にロックされています"
    assert 800 <= int(locked.headers["retry-after"]) <= 901
    detail = (await gateway.get(f"{API}/admin/users/{user['id']}", headers=admin["headers"])).json()
    assert detail["lock"]["locked"] is True and detail["lock"]["until"]
    assert detail["lock"]["recent_failures"] == 5
    # The owner, elsewhere, is not locked out by someone else's guesses.
    assert (await login(gateway, user["email"], user["password"])).status_code == 200
    # The lock clears by itself when its time is over (moved into the past here).
    await identity_db.execute(
        "UPDATE login_throttle SET locked_until = now() - interval '1 second' WHERE key = $1",
        f"pair:{attacker}|{user['email'].lower()}",
    )
    again = await login(gateway, user["email"], user["password"], **{"X-Forwarded-For": attacker})
    assert again.status_code == 200


async def test_locks_double_in_length(gateway, events, identity_db):
    user = await verified_user(gateway, events)
    attacker = client_ip()
    key = f"pair:{attacker}|{user['email'].lower()}"
    for _ in range(5):
        await login(gateway, user["email"], "Wrong-Password-000", **{"X-Forwarded-For": attacker})
    first = await identity_db.fetchval("SELECT locked_until - now() FROM login_throttle WHERE key = $1", key)
    await identity_db.execute("UPDATE login_throttle SET locked_until = now() WHERE key = $1", key)
    # The account-wide backoff is not what this test measures.
    await identity_db.execute("DELETE FROM login_throttle WHERE key = $1", f"account:{user['email'].lower()}")
    for _ in range(5):
        await login(gateway, user["email"], "Wrong-Password-000", **{"X-Forwarded-For": attacker})
    second = await identity_db.fetchval("SELECT locked_until - now() FROM login_throttle WHERE key = $1", key)
    assert 14 * 60 < first.total_seconds() <= 15 * 60
    assert 29 * 60 < second.total_seconds() <= 30 * 60


async def test_locked_answer_is_the_same_for_unknown_emails(gateway):
    ghost, attacker = unique_email("ghost"), client_ip()
    for _ in range(5):
        wrong = await login(gateway, ghost, "Wrong-Password-000", **{"X-Forwarded-For": attacker})
        assert wrong.status_code == 401
    locked = await login(gateway, ghost, "Wrong-Password-000", **{"X-Forwarded-For": attacker})
    assert locked.status_code == 429 and locked.json()["type"] == "/problems/locked"
    assert "retry-after" in locked.headers


async def test_many_failures_from_one_address_lock_that_address(service_url):
    address = client_ip()
    async with httpx.AsyncClient(
        base_url=service_url, headers={"X-Forwarded-For": address}, timeout=120
    ) as direct:
        answers = await asyncio.gather(
            *(
                direct.post(
                    "/auth/login", json={"email": unique_email("spray"), "password": "Spray-Password-1"}
                )
                for _ in range(50)
            )
        )
        assert {a.status_code for a in answers} == {401}
        blocked = await direct.post("/auth/login", json={"email": unique_email("spray"), "password": "x"})
        assert blocked.status_code == 429 and blocked.json()["type"] == "/problems/locked"
        elsewhere = await direct.post(
            "/auth/login",
            json={"email": unique_email("spray"), "password": "x"},
            headers={"X-Forwarded-For": client_ip()},
        )
        assert elsewhere.status_code == 401


async def test_login_rehashes_a_password_hashed_with_old_parameters(gateway, events, identity_db):
    from argon2 import PasswordHasher

    user = await verified_user(gateway, events)
    weak_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(user["password"])
    await identity_db.execute("UPDATE users SET password_hash = $1 WHERE id = $2", weak_hash, user["id"])
    assert (await login(gateway, user["email"], user["password"])).status_code == 200
    stored = await identity_db.fetchval("SELECT password_hash FROM users WHERE id = $1", user["id"])
    assert stored != weak_hash and "m=65536,t=3,p=4" in stored
    assert (await login(gateway, user["email"], user["password"])).status_code == 200


async def test_disabled_account_cannot_sign_in(gateway, events, admin):
    user = await verified_user(gateway, events)
    response = await gateway.post(
        f"{API}/admin/users/{user['id']}/disable", json={"reason": "chargeback"}, headers=admin["headers"]
    )
    assert response.status_code == 200 and response.json()["disabled"] is True
    assert (await gateway.get(f"{API}/me", headers=bearer(user["access_token"]))).status_code == 401
    refused = await login(gateway, user["email"], user["password"])
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/account-disabled"
    changed = await events.wait("UserProfileChanged", user_id=user["id"])
    assert changed[-1]["data"]["disabled"] is True


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
