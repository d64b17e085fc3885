"""Password guessing: strangers cannot lock the owner out, the owner gets a link that always
works, and the current password asked by /me is guarded like a sign-in."""

import asyncio
import re
import time

import httpx

from tests.identity.helpers import API, bearer, client_ip, login, strong_password, verified_user
from tests.kit import unique_email

# Settings of the local stack (services/identity/config.py defaults).
BACKOFF_AFTER = 5
BACKOFF_BASE_SECONDS = 0.5


def unlock_token(event: dict) -> str:
    match = re.search(r"/unlock\?token=([\w\-]+)$", event["data"]["unlock_url"])
    assert match, event["data"]["unlock_url"]
    return match.group(1)


async def test_wrong_passwords_from_everywhere_slow_the_owner_but_never_lock_them_out(gateway, events, admin):
    user = await verified_user(gateway, events)
    # Seven strangers, seven addresses: no single address reaches its own limit.
    guesses = [await login(gateway, user["email"], f"Guess-{i}-abcdefg") for i in range(BACKOFF_AFTER + 2)]
    assert [g.status_code for g in guesses] == [401] * (BACKOFF_AFTER + 2)
    started = time.monotonic()
    owner = await login(gateway, user["email"], user["password"])
    waited = time.monotonic() - started
    assert owner.status_code == 200, owner.text
    # Seven failures: each check now waits base * 2^(7 - 5) (a floor, so no timing flake).
    assert waited >= BACKOFF_BASE_SECONDS * 2**2
    # Signing in with the right password clears the account's count: the next one is not slowed.
    detail = (await gateway.get(f"{API}/admin/users/{user['id']}", headers=admin["headers"])).json()
    assert detail["lock"] == {"locked": False, "until": None, "recent_failures": 0}


async def test_owner_is_mailed_a_one_time_unlock_link_that_clears_the_counters(
    gateway, events, admin, identity_db
):
    user = await verified_user(gateway, events)
    for i in range(BACKOFF_AFTER):
        assert (await login(gateway, user["email"], f"Guess-{i}-abcdefg")).status_code == 401
    offered = (await events.wait("SignInUnlockOffered", user_id=user["id"]))[-1]
    assert offered["data"]["failures"] == BACKOFF_AFTER and offered["data"]["email"] == user["email"]
    assert offered["data"]["locale"] == user["locale"]
    # More failures within the hour do not flood the owner's mailbox.
    await login(gateway, user["email"], "Guess-again-abcdefg")
    key = f"account:{user['email'].lower()}"
    assert await identity_db.fetchval("SELECT failures FROM login_throttle WHERE key = $1", key) == 6
    token = unlock_token(offered)
    opened = await gateway.post(f"{API}/auth/unlock", json={"token": token})
    assert opened.status_code == 200 and opened.json() == {"status": "unlocked"}
    assert await identity_db.fetchval("SELECT count(*) FROM login_throttle WHERE key = $1", key) == 0
    again = await gateway.post(
        f"{API}/auth/unlock", json={"token": token}, headers={"Accept-Language": "zh-TW"}
    )
    assert again.status_code == 400 and again.json()["type"] == "/problems/unlock-invalid"
    assert again.json()["title"] == "此解除鎖定連結無效"
    assert len(events.of("SignInUnlockOffered", user_id=user["id"])) == 1


async def test_unknown_email_gets_the_same_answers_and_nobody_is_mailed(gateway, events):
    ghost = unique_email("ghost")
    answers = [await login(gateway, ghost, f"Guess-{i}-abcdefg") for i in range(BACKOFF_AFTER + 1)]
    assert [a.status_code for a in answers] == [401] * (BACKOFF_AFTER + 1)
    assert events.of("SignInUnlockOffered", email=ghost) == []


async def test_the_unlock_link_lets_its_address_past_an_address_lock(gateway, events, service_url):
    """The owner shares an address (an office NAT) with someone spraying passwords at many
    accounts: the address is locked, but the mailed link still gets the owner in."""
    user = await verified_user(gateway, events)
    for i in range(BACKOFF_AFTER):
        await login(gateway, user["email"], f"Guess-{i}-abcdefg")
    token = unlock_token((await events.wait("SignInUnlockOffered", user_id=user["id"]))[-1])
    office = client_ip()
    async with httpx.AsyncClient(
        base_url=service_url, headers={"X-Forwarded-For": office}, timeout=120
    ) as direct:
        sprayed = await asyncio.gather(
            *(
                direct.post("/auth/login", json={"email": unique_email("spray"), "password": "Spray-1"})
                for _ in range(50)
            )
        )
        assert {s.status_code for s in sprayed} == {401}
        blocked = await direct.post(
            "/auth/login", json={"email": user["email"], "password": user["password"]}
        )
        assert blocked.status_code == 429 and blocked.json()["type"] == "/problems/locked"
        assert (await direct.post("/auth/unlock", json={"token": token})).status_code == 200
        owner = await direct.post("/auth/login", json={"email": user["email"], "password": user["password"]})
        assert owner.status_code == 200, owner.text
        # The address stays locked for every other account.
        other = await direct.post("/auth/login", json={"email": unique_email("spray"), "password": "x"})
        assert other.status_code == 429


async def test_current_password_guesses_on_me_password_are_counted_like_sign_ins(gateway, events, admin):
    user = await verified_user(gateway, events)
    address = client_ip()
    headers = {**bearer(user["access_token"]), "X-Forwarded-For": address}
    for i in range(5):
        wrong = await gateway.post(
            f"{API}/me/password",
            json={"current_password": f"Guess-{i}-abcdefg", "new_password": strong_password()},
            headers=headers,
        )
        assert wrong.status_code == 403 and wrong.json()["type"] == "/problems/current-password-wrong"
    locked = await gateway.post(
        f"{API}/me/password",
        json={"current_password": user["password"], "new_password": strong_password()},
        headers=headers,
    )
    assert locked.status_code == 429 and locked.json()["type"] == "/problems/locked"
    assert 800 <= int(locked.headers["retry-after"]) <= 901
    # The same counters as sign-in: that address may not sign in to the account either.
    assert (
        await login(gateway, user["email"], user["password"], **{"X-Forwarded-For": address})
    ).status_code == 429
    detail = (await gateway.get(f"{API}/admin/users/{user['id']}", headers=admin["headers"])).json()
    assert detail["lock"]["locked"] is True and detail["lock"]["recent_failures"] == 5
    await events.wait("SignInUnlockOffered", user_id=user["id"])


async def test_current_password_guesses_on_me_email_are_counted_like_sign_ins(gateway, events):
    user = await verified_user(gateway, events)
    headers = {**bearer(user["access_token"]), "X-Forwarded-For": client_ip()}
    body = {"new_email": unique_email("new"), "password": "Guess-abcdefg"}
    answers = [await gateway.post(f"{API}/me/email", json=body, headers=headers) for _ in range(6)]
    assert [a.status_code for a in answers] == [403] * 5 + [429]
    right = await gateway.post(
        f"{API}/me/email", json={**body, "password": user["password"]}, headers=headers
    )
    assert right.status_code == 429, "the right password waits out the lock too"
