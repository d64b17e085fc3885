"""Hand verification from the desk's customer lookup, in a real Chromium.

A customer whose verification mail never arrives is invisible to the cases service (it learns of
people once they are verified); the engineer finds the account through identity's staff search,
verifies it by hand with a reason, and identity's audit log keeps who did it and why.
"""

import re
from typing import Any

import httpx
from playwright.async_api import expect

from tests.browser.conftest import Portal, catalog
from tests.browser.test_desk import sign_in_to
from tests.browser.test_portal import PASSWORD, access_token, create_user
from tests.kit import client_ip, unique_email

EN = catalog("en")


async def test_engineer_verifies_a_blocked_customer_by_hand(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient
) -> None:
    engineer_email, customer_email = unique_email("verify-engineer"), unique_email("verify-customer")
    await create_user(stack, engineer_email, "support")
    registration = {
        "name": "Blocked Mailbox",
        "phone": "+886912345678",
        "email": customer_email,
        "password": PASSWORD,
        "locale": "en",
    }
    registered = await gateway.post(
        "/api/identity/auth/register", json=registration, headers={"X-Forwarded-For": client_ip()}
    )
    assert registered.status_code == 202, registered.text
    staff = {"Authorization": f"Bearer {await access_token(gateway, engineer_email)}"}
    search = await gateway.get("/api/identity/admin/users", params={"q": customer_email}, headers=staff)
    (account,) = search.json()["items"]
    assert account["email_verified"] is False

    engineer = await portal.page()
    await sign_in_to(engineer, engineer_email, "/desk")
    await engineer.goto("/desk/customers")
    await engineer.get_by_label(EN["desk.customers.query"], exact=True).fill(customer_email)
    await engineer.locator("#customer-search").click()
    form = engineer.locator(f"#unverified-accounts form[data-user='{account['id']}']")
    await expect(form).to_contain_text(customer_email)

    # No reason, no verification: the audit log must say why.
    await form.get_by_role("button", name=EN["desk.customers.verify"], exact=True).click()
    await expect(form.locator(".field-error")).to_have_text(EN["office.reason.required"])
    unchanged = await gateway.get(f"/api/identity/admin/users/{account['id']}", headers=staff)
    assert unchanged.json()["email_verified_at"] is None

    reason = "Customer's mail server rejects our mail; address confirmed by phone"
    await form.get_by_label(re.compile("^" + re.escape(EN["office.field.reason"]))).fill(reason)
    await form.get_by_role("button", name=EN["desk.customers.verify"], exact=True).click()
    await expect(form).to_contain_text(EN["desk.customers.verified"].replace("{email}", customer_email))

    verified = await gateway.get(f"/api/identity/admin/users/{account['id']}", headers=staff)
    assert verified.json()["email_verified_at"] is not None
    audit = await gateway.get("/api/identity/admin/audit", params={"target": account["id"]}, headers=staff)
    entries = [e for e in audit.json()["items"] if e["action"] == "verify"]
    assert [(e["actor_email"], e["reason"]) for e in entries] == [(engineer_email, reason)]
    # The customer can now sign in.
    login = await gateway.post(
        "/api/identity/auth/login", json={"email": customer_email, "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
