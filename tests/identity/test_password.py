"""Forgotten password, reset, and password change."""

from tests.identity.helpers import API, bearer, client_ip, login, strong_password, verified_user
from tests.kit import unique_email


async def _forgot(gateway, email: str):
    return await gateway.post(
        f"{API}/auth/password/forgot", json={"email": email}, headers={"X-Forwarded-For": client_ip()}
    )


async def test_reset_sets_the_password_revokes_sessions_and_is_single_use(gateway, events):
    user = await verified_user(gateway, events)
    assert (await _forgot(gateway, user["email"])).status_code == 202
    requested = (await events.wait("PasswordResetRequested", email=user["email"]))[0]["data"]
    assert requested["expires_in_minutes"] == 60 and "/reset-password?token=" in requested["reset_url"]
    token = requested["reset_url"].split("token=")[1]
    new_password = strong_password()
    weak = await gateway.post(f"{API}/auth/password/reset", json={"token": token, "password": "password123"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    done = await gateway.post(f"{API}/auth/password/reset", json={"token": token, "password": new_password})
    assert done.status_code == 200
    assert (
        await gateway.post(f"{API}/auth/refresh", json={"refresh_token": user["refresh_token"]})
    ).status_code == 401
    assert (await login(gateway, user["email"], user["password"])).status_code == 401
    assert (await login(gateway, user["email"], new_password)).status_code == 200
    again = await gateway.post(
        f"{API}/auth/password/reset", json={"token": token, "password": strong_password()}
    )
    assert again.status_code == 400 and again.json()["type"] == "/problems/reset-invalid"


async def test_forgot_for_unknown_address_answers_the_same_and_sends_nothing(gateway, events):
    ghost = unique_email("ghost")
    response = await _forgot(gateway, ghost)
    assert response.status_code == 202 and response.json() == {"status": "reset_sent"}
    assert events.of("PasswordResetRequested", email=ghost) == []


async def test_forgot_is_rate_limited_per_account_silently(gateway, events):
    user = await verified_user(gateway, events)
    for _ in range(5):
        assert (await _forgot(gateway, user["email"])).status_code == 202
    await events.wait("PasswordResetRequested", email=user["email"], count=3)
    assert len(events.of("PasswordResetRequested", email=user["email"])) == 3


async def test_expired_reset_link_is_410(gateway, events, identity_db):
    user = await verified_user(gateway, events)
    await _forgot(gateway, user["email"])
    token = await events.token("PasswordResetRequested", user["email"])
    await identity_db.execute(
        "UPDATE one_time_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND purpose = 'reset'",
        user["id"],
    )
    response = await gateway.post(
        f"{API}/auth/password/reset", json={"token": token, "password": strong_password()}
    )
    assert response.status_code == 410 and response.json()["type"] == "/problems/reset-expired"


async def test_verification_token_cannot_reset_a_password(gateway, events):
    user = await verified_user(gateway, events)
    await gateway.post(f"{API}/auth/verify/resend", json={"email": user["email"]})
    token = (await events.wait("VerificationRequested", email=user["email"]))[0]["data"]["verify_url"].split(
        "token="
    )[1]
    response = await gateway.post(
        f"{API}/auth/password/reset", json={"token": token, "password": strong_password()}
    )
    assert response.status_code == 400


async def test_change_password_needs_the_current_one_and_ends_other_sessions(gateway, events):
    user = await verified_user(gateway, events)
    other = (await login(gateway, user["email"], user["password"])).json()
    headers = bearer(user["access_token"])
    wrong = await gateway.post(
        f"{API}/me/password",
        json={"current_password": "Wrong-Password-1", "new_password": strong_password()},
        headers=headers,
    )
    assert wrong.status_code == 403 and wrong.json()["type"] == "/problems/current-password-wrong"
    weak = await gateway.post(
        f"{API}/me/password",
        json={"current_password": user["password"], "new_password": "1234567890"},
        headers=headers,
    )
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "new_password"
    new_password = strong_password()
    done = await gateway.post(
        f"{API}/me/password",
        json={"current_password": user["password"], "new_password": new_password},
        headers=headers,
    )
    assert done.status_code == 200
    assert (await gateway.get(f"{API}/me", headers=headers)).status_code == 200, "this session stays"
    assert (
        await gateway.post(f"{API}/auth/refresh", json={"refresh_token": other["refresh_token"]})
    ).status_code == 401
    assert (await login(gateway, user["email"], new_password)).status_code == 200
