"""The real mails identity's events cause, read back from Mailpit (identity + notifier).

Each flow is driven only by what a customer has: the links in their mailbox.
"""

import re

from tests.identity.helpers import API, bearer, client_ip, login, register, strong_password
from tests.kit import eventually

NON_ASCII = re.compile(r"[^\x00-\x7f]")


async def _only_mail(mailpit, address: str, count: int = 1) -> list[dict]:
    """Mails to exactly `address` (Mailpit's search also matches longer addresses containing it)."""

    async def probe() -> list[dict] | None:
        found = [
            m
            for m in await mailpit.messages_to(address)
            if any(to["Address"].lower() == address.lower() for to in m["To"])
        ]
        return found if len(found) >= count else None

    return await eventually(probe, timeout=60, what=f"{count} mail(s) to {address}")


async def _text(mailpit, message: dict) -> str:
    return (await mailpit.message(message["ID"]))["Text"]


async def _token_from(mailpit, message: dict) -> str:
    link = await mailpit.link_in(message["ID"])
    return link.split("token=")[1]


async def _verify_from_mailbox(gateway, mailpit, email: str) -> dict:
    [mail] = await _only_mail(mailpit, email)
    token = await _token_from(mailpit, mail)
    assert (await gateway.post(f"{API}/auth/verify", json={"token": token})).status_code == 200
    return mail


async def test_verification_then_welcome_in_traditional_chinese(gateway, mailpit):
    body = await register(gateway, locale="zh-TW")
    mail = await _verify_from_mailbox(gateway, mailpit, body["email"])
    assert NON_ASCII.search(mail["Subject"]), mail["Subject"]
    assert "/verify?token=" in (await mailpit.message(mail["ID"]))["Text"]
    mails = await _only_mail(mailpit, body["email"], count=2)
    welcome = next(m for m in mails if m["ID"] != mail["ID"])
    assert welcome["Subject"] != mail["Subject"] and NON_ASCII.search(welcome["Subject"])
    assert (await login(gateway, body["email"], body["password"])).status_code == 200


async def test_account_exists_notice_in_japanese(gateway, mailpit):
    body = await register(gateway, locale="ja")
    [verification] = await _only_mail(mailpit, body["email"])
    again = await gateway.post(
        f"{API}/auth/register",
        json={**body, "password": strong_password(), "locale": "en"},
        headers={"X-Forwarded-For": client_ip()},
    )
    assert again.status_code == 202
    mails = await _only_mail(mailpit, body["email"], count=2)
    notice = next(m for m in mails if m["ID"] != verification["ID"])
    assert notice["Subject"] != verification["Subject"]
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", notice["Subject"]), "in the owner's language (ja)"
    text = (await mailpit.message(notice["ID"]))["Text"]
    assert "/forgot-password" in text or "/login" in text


async def test_password_reset_mail_in_simplified_chinese(gateway, mailpit):
    body = await register(gateway, locale="zh-CN")
    await _verify_from_mailbox(gateway, mailpit, body["email"])
    await _only_mail(mailpit, body["email"], count=2)  # verification + welcome
    assert (
        await gateway.post(f"{API}/auth/password/forgot", json={"email": body["email"]})
    ).status_code == 202
    mails = await _only_mail(mailpit, body["email"], count=3)
    [reset] = [m for m in mails if "reset-password" in await _text(mailpit, m)]
    assert NON_ASCII.search(reset["Subject"])
    token = await _token_from(mailpit, reset)
    new_password = strong_password()
    response = await gateway.post(
        f"{API}/auth/password/reset", json={"token": token, "password": new_password}
    )
    assert response.status_code == 200
    assert (await login(gateway, body["email"], new_password)).status_code == 200


async def test_email_change_confirmation_and_old_address_notice_in_english(gateway, mailpit):
    body = await register(gateway, locale="en")
    await _verify_from_mailbox(gateway, mailpit, body["email"])
    await _only_mail(mailpit, body["email"], count=2)
    tokens = (await login(gateway, body["email"], body["password"])).json()
    new_email = body["email"].replace("@example.com", "@moved.example.org")
    response = await gateway.post(
        f"{API}/me/email",
        json={"new_email": new_email, "password": body["password"]},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 202
    [confirmation] = await _only_mail(mailpit, new_email)
    assert not NON_ASCII.search(confirmation["Subject"])
    token = await _token_from(mailpit, confirmation)
    assert (await gateway.post(f"{API}/auth/verify", json={"token": token})).status_code == 200
    mails = await _only_mail(mailpit, body["email"], count=3)
    notice_text = [await _text(mailpit, m) for m in mails]
    assert any(new_email in text for text in notice_text), "the old address is told where the account went"
    me = (await gateway.get(f"{API}/me", headers=bearer(tokens["access_token"]))).json()
    assert me["email"] == new_email
