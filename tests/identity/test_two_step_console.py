"""Two-step sign-in in the account console beyond turning it on and off: closing the account
asks for a code besides the password (wrong codes counted as at sign-in), recovery codes can be
renewed (shown once, the old ones void), and every change is announced for a security notice
(TwoStepChanged; AccountClosed carries the address the account had)."""

from tests.identity.helpers import API, bearer
from tests.identity.test_two_step import _challenge, _second_step, code, enrolled_user, wrong_code
from tests.kit import client_ip


async def test_closing_with_two_step_on_needs_a_code_counted_like_at_sign_in(gateway, events):
    user = await enrolled_user(gateway, events)
    address = client_ip()
    headers = {**bearer(user["access_token"]), "X-Forwarded-For": address}

    async def close(**body: str):
        return await gateway.post(
            f"{API}/me/close", json={"password": user["password"], **body}, headers=headers
        )

    missing = await close()
    assert missing.status_code == 403 and missing.json()["type"] == "/problems/two-step-code-required"
    assert missing.json()["detail_id"] == "identity.enter-current-code"
    wrong = wrong_code(user["secret"])
    for _ in range(5):  # login_max_failures, as at sign-in
        refused = await close(code=wrong)
        assert refused.status_code == 403 and refused.json()["type"] == "/problems/two-step-code-wrong"
    locked = await close(code=code(user["secret"], 1))
    assert locked.status_code == 429 and locked.json()["type"] == "/problems/locked"
    assert (await gateway.get(f"{API}/me", headers=headers)).status_code == 200  # nothing closed

    elsewhere = {**bearer(user["access_token"]), "X-Forwarded-For": client_ip()}
    closed = await gateway.post(
        f"{API}/me/close",
        json={"password": user["password"], "code": user["recovery_codes"][0]},
        headers=elsewhere,
    )
    assert closed.status_code == 204, closed.text
    [announced] = await events.wait("AccountClosed", user_id=user["id"])
    assert announced["data"]["email"] == user["email"] and announced["data"]["locale"] == "zh-TW"
    # The closing is its own notice: a recovery code spent on it is not announced apart.
    notices = [e["data"]["change"] for e in events.of("TwoStepChanged", None, user["id"])]
    assert "recovery_code_used" not in notices


async def test_new_recovery_codes_replace_the_old_ones_and_are_shown_once(gateway, events):
    user = await enrolled_user(gateway, events)
    headers = bearer(user["access_token"])
    renew = f"{API}/me/two-step/recovery-codes"

    wrong_password = await gateway.post(
        renew, json={"password": "Not-The-Password-1", "code": code(user["secret"], 1)}, headers=headers
    )
    assert wrong_password.status_code == 403
    assert wrong_password.json()["type"] == "/problems/current-password-wrong"
    wrong = await gateway.post(
        renew, json={"password": user["password"], "code": "zzzzz-zzzzz"}, headers=headers
    )
    assert wrong.status_code == 403 and wrong.json()["type"] == "/problems/two-step-code-wrong"
    no_code = await gateway.post(renew, json={"password": user["password"]}, headers=headers)
    assert no_code.status_code == 422 and no_code.json()["type"] == "/problems/validation"

    renewed = await gateway.post(
        renew, json={"password": user["password"], "code": user["recovery_codes"][0]}, headers=headers
    )
    assert renewed.status_code == 200, renewed.text
    fresh = renewed.json()["recovery_codes"]
    assert len(set(fresh)) == 10 and not set(fresh) & set(user["recovery_codes"])
    assert (await gateway.get(f"{API}/me/two-step", headers=headers)).json()["recovery_codes_left"] == 10

    old = await _second_step(gateway, await _challenge(gateway, user), user["recovery_codes"][5])
    assert old.status_code == 403 and old.json()["type"] == "/problems/two-step-code-wrong"
    signed_in = await _second_step(gateway, await _challenge(gateway, user), fresh[2])
    assert signed_in.status_code == 200, signed_in.text
    status = await gateway.get(f"{API}/me/two-step", headers=bearer(signed_in.json()["access_token"]))
    assert status.json()["recovery_codes_left"] == 9

    notices = await events.wait("TwoStepChanged", user_id=user["id"], count=3)
    assert [(n["data"]["change"], n["data"]["recovery_codes_left"]) for n in notices] == [
        ("enabled", 10),
        ("recovery_codes_renewed", 10),
        ("recovery_code_used", 9),
    ]
    assert all(n["data"]["email"] == user["email"] for n in notices)


async def test_renewing_needs_two_step_on_and_turning_it_off_is_announced(gateway, events, mailpit):
    user = await enrolled_user(gateway, events)
    headers = bearer(user["access_token"])
    off = await gateway.post(
        f"{API}/me/two-step/disable",
        json={"password": user["password"], "code": code(user["secret"], 1)},
        headers=headers,
    )
    assert off.status_code == 204, off.text
    refused = await gateway.post(
        f"{API}/me/two-step/recovery-codes",
        json={"password": user["password"], "code": "123456"},
        headers=headers,
    )
    assert refused.status_code == 409 and refused.json()["detail_id"] == "identity.two-step-not-on"
    notices = await events.wait("TwoStepChanged", user_id=user["id"], count=2)
    assert [n["data"]["change"] for n in notices] == ["enabled", "disabled"]

    # The whole way to the mailbox, in the account's language (registered in zh-TW).
    await mailpit.wait_for(user["email"], subject_contains="您的帳號已開啟兩步驟登入")
    await mailpit.wait_for(user["email"], subject_contains="您的帳號已關閉兩步驟登入")
