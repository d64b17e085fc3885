"""Two-step sign-in over HTTP: enrolment with a first code, sign-in with a code after the
password (a challenge, never a session before the code), recovery codes that work once, wrong
codes locking like wrong passwords, and turning it off with the password and a code."""

import base64
import uuid
from typing import Any

from services.identity import totp
from shared import clock
from tests.identity.helpers import API, bearer, login, verified_user
from tests.kit import client_ip


def code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows (the next step's code is accepted as clock drift)."""
    return totp.code_at(_raw(secret), totp.step_of(clock.timestamp()) + steps_ahead)


def _raw(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def wrong_code(secret: str) -> str:
    """A well-formed code that no step within the accepted drift shows."""
    near = {code(secret, offset) for offset in range(-2, 3)}
    return next(
        candidate
        for candidate in ("000000", "111111", "222222", "333333", "444444", "555555")
        if candidate not in near
    )


async def enrolled_user(gateway, events) -> dict[str, Any]:
    user = await verified_user(gateway, events)
    headers = bearer(user["access_token"])
    started = await gateway.post(f"{API}/me/two-step", headers=headers)
    assert started.status_code == 200, started.text
    secret = started.json()["secret"]
    confirmed = await gateway.post(f"{API}/me/two-step/confirm", json={"code": code(secret)}, headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    return {**user, "secret": secret, "recovery_codes": confirmed.json()["recovery_codes"]}


async def _challenge(gateway, user: dict[str, Any], address: str | None = None) -> str:
    response = await login(
        gateway, user["email"], user["password"], **({"X-Forwarded-For": address} if address else {})
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (
        body["next_step"] == "two_step"
        and "access_token" not in body
        and "set-cookie" not in response.headers
    )
    return body["challenge"]


async def _second_step(gateway, challenge: str, value: str, address: str | None = None):
    return await gateway.post(
        f"{API}/auth/login/two-step",
        json={"challenge": challenge, "code": value},
        headers={"X-Forwarded-For": address or client_ip()},
    )


async def test_enrolment_shows_the_secret_once_and_needs_a_right_first_code(gateway, events, identity_db):
    user = await verified_user(gateway, events)
    headers = bearer(user["access_token"])
    status = await gateway.get(f"{API}/me/two-step", headers=headers)
    assert status.json() == {"enabled": False, "recovery_codes_left": 0, "required": False}
    started = (await gateway.post(f"{API}/me/two-step", headers=headers)).json()
    assert started["otpauth_uri"].startswith("otpauth://totp/Support%20Portal:")
    assert f"secret={started['secret']}" in started["otpauth_uri"]
    assert started["qr_image"].startswith("data:image/svg+xml")

    wrong = await gateway.post(
        f"{API}/me/two-step/confirm", json={"code": wrong_code(started["secret"])}, headers=headers
    )
    assert wrong.status_code == 403 and wrong.json()["detail_id"] == "identity.enter-current-code"
    assert (await gateway.get(f"{API}/me/two-step", headers=headers)).json()["enabled"] is False

    confirmed = await gateway.post(
        f"{API}/me/two-step/confirm", json={"code": code(started["secret"])}, headers=headers
    )
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert (await gateway.get(f"{API}/me/two-step", headers=headers)).json() == {
        "enabled": True,
        "recovery_codes_left": 10,
        "required": False,
    }
    again = await gateway.post(f"{API}/me/two-step", headers=headers)
    assert again.status_code == 409 and again.json()["detail_id"] == "identity.two-step-already-on"

    # Stored sealed and hashed: neither the secret nor a recovery code is in the database.
    stored = await identity_db.fetchrow(
        "SELECT sealed_secret FROM two_step_credentials WHERE user_id = $1",
        uuid.UUID(user["id"]),
    )
    assert _raw(started["secret"]) not in bytes(stored["sealed_secret"])
    hashes = [r["code_hash"] for r in await identity_db.fetch("SELECT code_hash FROM recovery_codes")]
    assert not set(codes) & set(hashes)


async def test_sign_in_asks_for_a_code_after_the_password(gateway, events):
    user = await enrolled_user(gateway, events)
    challenge = await _challenge(gateway, user)
    used = code(user["secret"], 1)  # valid for three steps (drift): long enough under any load
    signed_in = await _second_step(gateway, challenge, used)
    assert signed_in.status_code == 200, signed_in.text
    tokens = signed_in.json()
    assert "refresh_token=" in signed_in.headers["set-cookie"]
    assert (await gateway.get(f"{API}/me", headers=bearer(tokens["access_token"]))).status_code == 200

    # The same code does not work a second time, even with a fresh challenge.
    reused = await _second_step(gateway, await _challenge(gateway, user), used)
    assert reused.status_code == 403 and reused.json()["type"] == "/problems/two-step-code-wrong"


async def test_a_recovery_code_works_once(gateway, events):
    user = await enrolled_user(gateway, events)
    spare = user["recovery_codes"][3]
    first = await _second_step(gateway, await _challenge(gateway, user), spare.upper().replace("-", " "))
    assert first.status_code == 200, first.text
    second = await _second_step(gateway, await _challenge(gateway, user), spare)
    assert second.status_code == 403 and second.json()["detail_id"] == "identity.enter-current-code"
    status = await gateway.get(f"{API}/me/two-step", headers=bearer(first.json()["access_token"]))
    assert status.json()["recovery_codes_left"] == 9


async def test_wrong_codes_lock_the_address_like_wrong_passwords(gateway, events):
    user = await enrolled_user(gateway, events)
    address = client_ip()
    challenge = await _challenge(gateway, user, address)
    right = code(user["secret"], 1)
    wrong = wrong_code(user["secret"])
    for _ in range(5):  # login_max_failures
        refused = await _second_step(gateway, challenge, wrong, address)
        assert refused.status_code == 403, refused.text
    locked = await _second_step(gateway, challenge, right, address)
    assert locked.status_code == 429 and locked.json()["type"] == "/problems/locked"
    assert int(locked.headers["retry-after"]) > 0
    # Another address (the owner elsewhere) is not locked out.
    elsewhere = client_ip()
    challenge_elsewhere = await _challenge(gateway, user, elsewhere)
    fresh = code(user["secret"], 1)  # `right` may have aged out of the drift window meanwhile
    assert (await _second_step(gateway, challenge_elsewhere, fresh, elsewhere)).status_code == 200


async def test_bad_challenges_and_codes_are_clear_problems(gateway, events):
    user = await enrolled_user(gateway, events)
    forged = await _second_step(gateway, "e30.bm90LWEtbWFj", code(user["secret"], 1))
    assert forged.status_code == 401 and forged.json()["type"] == "/problems/two-step-challenge-invalid"
    malformed = await _second_step(gateway, await _challenge(gateway, user), "12<script>")
    assert malformed.status_code == 422 and malformed.json()["type"] == "/problems/validation"
    missing = await gateway.post(f"{API}/auth/login/two-step", json={"code": "123456"})
    assert missing.status_code == 422
    # A challenge is not a session: it opens nothing.
    challenge = await _challenge(gateway, user)
    assert (await gateway.get(f"{API}/me", headers=bearer(challenge))).status_code == 401
    # An enrolment challenge is not accepted for the code step, nor the other way round.
    refused = await gateway.post(f"{API}/auth/two-step/enrol", json={"challenge": challenge})
    assert refused.status_code == 401


async def test_a_password_change_voids_challenges_still_out(gateway, events):
    user = await enrolled_user(gateway, events)
    challenge = await _challenge(gateway, user)
    session = await _second_step(gateway, await _challenge(gateway, user), user["recovery_codes"][0])
    changed = await gateway.post(
        f"{API}/me/password",
        json={"current_password": user["password"], "new_password": "Orchid-Valley-7731-Kite"},
        headers=bearer(session.json()["access_token"]),
    )
    assert changed.status_code == 200, changed.text
    stale = await _second_step(gateway, challenge, code(user["secret"], 1))
    assert stale.status_code == 401 and stale.json()["type"] == "/problems/two-step-challenge-invalid"


async def test_turning_it_off_needs_the_password_and_a_code(gateway, events):
    user = await enrolled_user(gateway, events)
    tokens = (await _second_step(gateway, await _challenge(gateway, user), user["recovery_codes"][0])).json()
    headers = bearer(tokens["access_token"])
    body = {"password": "Not-The-Password-1", "code": user["recovery_codes"][1]}
    wrong_password = await gateway.post(f"{API}/me/two-step/disable", json=body, headers=headers)
    assert (
        wrong_password.status_code == 403
        and wrong_password.json()["type"] == "/problems/current-password-wrong"
    )
    wrong_code = await gateway.post(
        f"{API}/me/two-step/disable",
        json={"password": user["password"], "code": "zzzzz-zzzzz"},
        headers=headers,
    )
    assert wrong_code.status_code == 403 and wrong_code.json()["type"] == "/problems/two-step-code-wrong"
    assert (await gateway.get(f"{API}/me/two-step", headers=headers)).json()["enabled"] is True

    off = await gateway.post(
        f"{API}/me/two-step/disable",
        json={"password": user["password"], "code": user["recovery_codes"][1]},
        headers=headers,
    )
    assert off.status_code == 204, off.text
    plain = await login(gateway, user["email"], user["password"])
    assert plain.status_code == 200 and "access_token" in plain.json()
    again = await gateway.post(
        f"{API}/me/two-step/disable", json={"password": user["password"], "code": "123456"}, headers=headers
    )
    assert again.status_code == 409 and again.json()["detail_id"] == "identity.two-step-not-on"


async def test_signing_in_again_with_the_password_does_not_reset_the_count_of_wrong_codes(gateway, events):
    user = await enrolled_user(gateway, events)
    address = client_ip()
    wrong = wrong_code(user["secret"])
    for _ in range(3):
        assert (
            await _second_step(gateway, await _challenge(gateway, user, address), wrong, address)
        ).status_code == 403
    challenge = await _challenge(gateway, user, address)  # the right password again
    for _ in range(2):
        assert (await _second_step(gateway, challenge, wrong, address)).status_code == 403
    locked = await _second_step(gateway, challenge, code(user["secret"], 1), address)
    assert locked.status_code == 429
    # The password step from that address is locked too.
    assert (
        await login(gateway, user["email"], user["password"], **{"X-Forwarded-For": address})
    ).status_code == 429
