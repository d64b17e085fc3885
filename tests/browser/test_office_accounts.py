"""The back office's account screen in a real Chromium on the real stack: find an account, clear a
sign-in lock that wrong passwords caused, disable and enable it, change its roles, every action
with a reason that identity's audit log keeps; what a support engineer may do there; the page in
the four languages."""

import re
from typing import Any

import httpx
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import LOCALES, Portal, catalog
from tests.browser.test_back_office import PASSWORD, bearer, create_user, item_of, sign_in
from tests.kit import client_ip

EN = catalog("en")
REASON = re.compile("^" + re.escape(EN["office.field.reason"]))


async def _login(gateway: httpx.AsyncClient, email: str, address: str) -> httpx.Response:
    return await gateway.post(
        "/api/identity/auth/login",
        json={"email": email, "password": PASSWORD},
        headers={"X-Forwarded-For": address},
    )


async def _act(page: Page, action: str, reason: str) -> None:
    """Submit one action's form on the account file with its reason."""
    form = page.locator(f'form.account-action[data-action="{action}"]')
    await form.get_by_label(REASON).fill(reason)
    await form.locator(f'button[data-action="{action}"]').click()


def _states(page: Page) -> Locator:
    return page.locator("#account-file .badges")


async def _open_account(page: Page, email: str) -> str:
    """Search the screen for `email`, open the one account found, answer its id."""
    await page.locator('.nav-link[data-menu="menu.office.accounts"]').click()
    await expect(page.locator("#page-title")).to_have_text(EN["menu.office.accounts"])
    await page.get_by_label(EN["office.accounts.query"]).fill(email)
    await page.locator("#account-search-run").click()
    rows = page.locator("#account-table tbody tr")
    await expect(rows).to_have_count(1)
    user_id = await rows.first.get_attribute("data-user")
    assert user_id
    await rows.first.get_by_role("link").click()
    await expect(page.locator(f'#account-file[data-user="{user_id}"]')).to_contain_text(email)
    return user_id


async def test_unlock_disable_enable_and_change_roles_on_the_account_screen(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient
) -> None:
    admin, customer = await create_user(stack, "admin"), await create_user(stack, "customer")
    attacker = client_ip()
    for _ in range(5):  # wrong passwords from one address lock the account for that address
        wrong = await gateway.post(
            "/api/identity/auth/login",
            json={"email": customer, "password": "Wrong-guess-4411"},
            headers={"X-Forwarded-For": attacker},
        )
        assert wrong.status_code in (401, 429), wrong.text
    assert (await _login(gateway, customer, attacker)).status_code == 429  # even the right password

    page = await portal.page()
    await sign_in(page, admin)
    user_id = await _open_account(page, customer)
    await expect(_states(page)).to_have_attribute("data-states", "locked")

    # No reason, no unlock: the audit log must say why.
    unlock = page.locator('form.account-action[data-action="unlock"]')
    await unlock.locator('button[data-action="unlock"]').click()
    await expect(unlock.locator(".field-error")).to_have_text(EN["office.reason.required"])
    await _act(page, "unlock", "Customer called from the office, identity checked")
    await expect(_states(page)).to_have_attribute("data-states", "active")
    await expect(page.locator('#account-history li[data-action="unlock"]')).to_contain_text(
        "identity checked"
    )
    assert (await _login(gateway, customer, attacker)).status_code == 200

    await _act(page, "disable", "Chargeback on order 5521")
    await expect(_states(page)).to_have_attribute("data-states", "disabled")
    refused = await portal.page()
    await refused.goto("/signin")
    await refused.get_by_label(EN["field.email"], exact=True).fill(customer)
    await refused.get_by_label(EN["field.password"], exact=True).fill(PASSWORD)
    await refused.get_by_role("button", name=EN["action.sign_in"], exact=True).click()
    await expect(refused.locator(".notice-error")).to_contain_text("This account is disabled")
    await expect(refused).to_have_url(re.compile(r"/signin$"))

    await _act(page, "enable", "Chargeback withdrawn")
    await expect(_states(page)).to_have_attribute("data-states", "active")

    roles = page.locator('form.account-action[data-action="roles"]')
    await roles.locator('input[name="role-release"]').check()
    await _act(page, "roles", "Joins the product team")
    await expect(page.locator("#account-roles")).to_have_text(
        f"{EN['role.customer']}{EN['office.accounts.list_separator']}{EN['role.release']}"
    )
    history = page.locator("#account-history li")
    await expect(history).to_have_count(5)
    assert [await item.get_attribute("data-action") for item in await history.all()] == [
        "set_roles",
        "enable",
        "disable",
        "unlock",
        "verify",  # by the command line that created the account, `--verified`
    ]
    await portal.snap(page, "office-accounts-file")

    # The new role's menu appears for that person once they sign in.
    product_team = await portal.page()
    await sign_in(product_team, customer)
    await expect(product_team.locator('.nav-link[data-menu="menu.releases"]')).to_be_visible()
    await expect(product_team.locator('.nav-link[data-menu="menu.office.accounts"]')).to_have_count(0)

    # An administrator cannot take away their own admin role: identity refuses, the page says so.
    await page.goto(f"/office/accounts?user={await _own_id(gateway, admin)}")
    await expect(page.locator('form.account-action[data-action="disable"]')).to_have_count(0)
    own_roles = page.locator('form.account-action[data-action="roles"]')
    await own_roles.locator('input[name="role-customer"]').check()
    await own_roles.locator('input[name="role-admin"]').uncheck()
    await _act(page, "roles", "Stepping down")
    await expect(own_roles.locator(".notice-error")).to_contain_text(
        "You cannot remove your own administrator role"
    )
    detail = await gateway.get(f"/api/identity/admin/users/{user_id}", headers=await bearer(gateway, admin))
    assert detail.json()["roles"] == ["customer", "release"]


async def _own_id(gateway: httpx.AsyncClient, email: str) -> str:
    me = await gateway.get("/api/identity/me", headers=await bearer(gateway, email))
    return str(me.json()["id"])


async def test_support_engineers_verify_and_unlock_but_do_not_disable_or_change_roles(
    portal: Portal, stack: dict[str, Any]
) -> None:
    engineer, customer = await create_user(stack, "support"), await create_user(stack, "customer")
    page = await portal.page()
    await sign_in(page, engineer)
    for locale in LOCALES:  # the menu entry, in every language
        await page.locator("#language").select_option(locale)
        label = item_of(catalog(locale)["menu.office.accounts"])
        await expect(page.locator('.nav-link[data-menu="menu.office.accounts"]')).to_contain_text(label)
    await page.locator("#language").select_option("en")
    await _open_account(page, customer)
    await expect(page.locator("#account-actions")).to_have_text(EN["office.accounts.nothing_to_do"])
    await expect(page.locator("form.account-action")).to_have_count(0)

    shopper = await portal.page()
    await sign_in(shopper, customer)
    await expect(shopper.locator('.nav-link[data-menu="menu.office.accounts"]')).to_have_count(0)
    await shopper.goto("/office/accounts")
    await expect(shopper.get_by_text(EN["office.accounts.forbidden"])).to_be_visible()


async def test_the_account_screen_speaks_every_language(portal: Portal, stack: dict[str, Any]) -> None:
    """Every label of the search, the file and the action forms comes from the catalog of the
    chosen language: no raw key and no placeholder left (SP_SCREENSHOTS keeps each language)."""
    admin, customer = await create_user(stack, "admin"), await create_user(stack, "customer")
    page = await portal.page()
    await sign_in(page, admin)
    user_id = await _open_account(page, customer)
    for locale in LOCALES:
        await page.locator("#language").select_option(locale)
        labels = catalog(locale)
        await expect(page.locator("#page-title")).to_have_text(labels["menu.office.accounts"])
        await expect(page.locator(f'#account-file[data-user="{user_id}"]')).to_contain_text(
            labels["office.accounts.state.active"]
        )
        await expect(page.locator('#account-history li[data-action="verify"]')).to_contain_text(
            labels["office.accounts.action.verify"]  # the command line verified the account
        )
        await expect(page.locator('form.account-action[data-action="roles"]')).to_contain_text(
            labels["role.release"]
        )
        text = await page.locator("main").inner_text()
        assert not re.search(r"\b(office|role|desk)\.[a-z_.]+|\{\w+\}", text), (locale, text)
        await portal.snap(page, f"office-accounts-{locale}")
