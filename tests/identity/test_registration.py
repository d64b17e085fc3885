"""Registration, verification and resend, through the gateway, checked by the events emitted."""

import asyncio

import asyncpg
import httpx

from services.identity.texts import VERIFICATION_LINK_EXPIRED, VERIFICATION_LINK_USED
from tests.identity.helpers import API, client_ip, login, register, registration
from tests.kit import unique_email


async def test_register_emits_registered_and_verification_and_stores_e164(gateway, events, identity_db):
    body = await register(
        gateway, phone="0912-345-678", email=unique_email("Mixed.Case").replace("@", "@EXAMPLE.")
    )
    registered = (await events.wait("UserRegistered", email=body["email"]))[0]
    requested = (await events.wait("VerificationRequested", email=body["email"]))[0]
    assert registered["data"]["locale"] == "zh-TW"
    assert requested["data"]["reason"] == "register"
    assert requested["data"]["expires_in_hours"] == 24
    assert requested["data"]["verify_url"].startswith(
        f"{gateway.base_url}/verify?token=".replace("//verify", "/verify")
    )
    row = await identity_db.fetchrow(
        "SELECT phone, email, email_key FROM users WHERE id = $1", registered["data"]["user_id"]
    )
    assert row["phone"] == "+886912345678"
    assert row["email"].split("@")[1] == row["email"].split("@")[1].lower()  # domain lowercased
    assert row["email_key"] == row["email"].lower()
    token_rows = await identity_db.fetch(
        "SELECT token_hash FROM one_time_tokens WHERE user_id = $1", row and registered["data"]["user_id"]
    )
    token = requested["data"]["verify_url"].split("token=")[1]
    assert token not in {r["token_hash"] for r in token_rows}, "tokens are stored hashed only"


async def test_duplicate_registration_answers_the_same_and_notifies_the_owner(gateway, events):
    first = await register(gateway)
    await events.wait("UserRegistered", email=first["email"])
    again = registration(email=first["email"].upper(), name="Someone Else")
    response = await gateway.post(
        f"{API}/auth/register", json=again, headers={"X-Forwarded-For": client_ip()}
    )
    assert response.status_code == 202 and response.json() == {"status": "verification_sent"}
    notice = (await events.wait("AccountExistsNotice", email=first["email"]))[0]
    assert notice["data"]["name"] == first["name"]  # the owner's data, not the caller's
    assert len(events.of("UserRegistered", email=first["email"])) == 1


async def test_verify_once_then_link_is_invalid_and_userverified_emitted_once(gateway, events):
    body = await register(gateway)
    token = await events.token("VerificationRequested", body["email"])
    first = await gateway.post(f"{API}/auth/verify", json={"token": token})
    assert first.status_code == 200 and first.json() == {"status": "verified"}
    again = await gateway.post(
        f"{API}/auth/verify", json={"token": token}, headers={"Accept-Language": "zh-TW"}
    )
    assert again.status_code == 400
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["type"] == "/problems/verification-invalid"
    assert again.json()["title"] == "此驗證連結無效"
    assert again.json()["detail_id"] == "identity.verification-link-used"
    assert again.json()["detail"] == VERIFICATION_LINK_USED().render("zh-TW")
    verified = await events.wait("UserVerified", email=body["email"])
    assert verified[0]["data"]["verified_by"] == "link"
    assert (await login(gateway, body["email"], body["password"])).status_code == 200
    assert len(events.of("UserVerified", email=body["email"])) == 1


async def test_concurrent_clicks_verify_exactly_once(gateway, events):
    body = await register(gateway)
    token = await events.token("VerificationRequested", body["email"])
    answers = await asyncio.gather(
        *(gateway.post(f"{API}/auth/verify", json={"token": token}) for _ in range(5))
    )
    assert sorted(a.status_code for a in answers) == [200, 400, 400, 400, 400]
    await events.wait("UserVerified", email=body["email"])
    await asyncio.sleep(0)  # let late events (there must be none) arrive with the next poll
    assert len(events.of("UserVerified", email=body["email"])) == 1


async def test_expired_verification_link_answers_410_and_offers_a_new_one(gateway, events, identity_db):
    body = await register(gateway)
    token = await events.token("VerificationRequested", body["email"])
    await identity_db.execute(
        "UPDATE one_time_tokens SET expires_at = now() - interval '1 minute' "
        "WHERE user_id = (SELECT id FROM users WHERE email_key = $1)",
        body["email"].lower(),
    )
    response = await gateway.post(
        f"{API}/auth/verify", json={"token": token}, headers={"Accept-Language": "ja"}
    )
    assert response.status_code == 410
    assert response.json()["type"] == "/problems/verification-expired"
    assert response.json()["title"] == "この確認リンクは有効期限が切れています"
    assert response.json()["detail_id"] == "identity.verification-link-expired"
    assert response.json()["detail"] == VERIFICATION_LINK_EXPIRED().render("ja")


async def test_unknown_and_forged_verification_tokens_are_refused(gateway):
    for token in ["x" * 43, "' OR 1=1 --", "a"]:
        response = await gateway.post(f"{API}/auth/verify", json={"token": token})
        assert response.status_code == 400
        assert response.json()["type"] == "/problems/verification-invalid"


async def test_resend_invalidates_older_links_and_is_rate_limited_per_account(gateway, events):
    body = await register(gateway)
    old_token = await events.token("VerificationRequested", body["email"])
    for _ in range(5):
        response = await gateway.post(
            f"{API}/auth/verify/resend",
            json={"email": body["email"]},
            headers={"X-Forwarded-For": client_ip()},
        )
        assert response.status_code == 202
    resent = await events.wait("VerificationRequested", email=body["email"], count=4)
    assert [e["data"]["reason"] for e in resent] == ["register", "resend", "resend", "resend"]
    stale = await gateway.post(f"{API}/auth/verify", json={"token": old_token})
    assert stale.status_code == 400
    newest = resent[-1]["data"]["verify_url"].split("token=")[1]
    assert (await gateway.post(f"{API}/auth/verify", json={"token": newest})).status_code == 200
    assert len(events.of("VerificationRequested", email=body["email"])) == 4  # 3/hour per account


async def test_resend_for_unknown_or_verified_address_answers_the_same_and_sends_nothing(gateway, events):
    nobody = unique_email("nobody")
    response = await gateway.post(f"{API}/auth/verify/resend", json={"email": nobody})
    assert response.status_code == 202 and response.json() == {"status": "verification_sent"}
    assert events.of("VerificationRequested", email=nobody) == []


async def test_resend_is_rate_limited_per_client_address(service_url):
    address = client_ip()
    async with httpx.AsyncClient(base_url=service_url, timeout=60) as direct:
        codes = [
            (
                await direct.post(
                    "/auth/verify/resend",
                    json={"email": unique_email("r")},
                    headers={"X-Forwarded-For": address},
                )
            ).status_code
            for _ in range(31)
        ]
        assert codes[:30] == [202] * 30
        assert codes[30] == 429
        other = await direct.post(
            "/auth/verify/resend", json={"email": unique_email("r")}, headers={"X-Forwarded-For": client_ip()}
        )
        assert other.status_code == 202


async def test_unverified_account_cannot_sign_in_but_learns_how_to_resend(gateway):
    body = await register(gateway)
    response = await login(gateway, body["email"], body["password"], **{"Accept-Language": "zh-TW"})
    assert response.status_code == 403
    assert response.json()["type"] == "/problems/email-not-verified"
    assert response.json()["title"] == "請先驗證您的電子郵件地址"
    assert response.json()["detail_id"] == "identity.verify-first"
    assert "重新寄送" in response.json()["detail"]  # how to get a new link, in the caller's language
    wrong = await login(gateway, body["email"], "Wrong-Password-0000")
    assert wrong.status_code == 401  # the unverified state is revealed only to the password holder


async def test_registration_stores_nothing_on_invalid_input(gateway, identity_db: asyncpg.Connection):
    email = unique_email("invalid")
    response = await gateway.post(f"{API}/auth/register", json=registration(email=email, phone="12"))
    assert response.status_code == 422
    assert await identity_db.fetchval("SELECT count(*) FROM users WHERE email_key = $1", email) == 0
