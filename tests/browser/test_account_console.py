"""The account console in Chromium: two-step sign-in set up from the account page (the code
computed here from the key the page shows, as an authenticator app would), then a sign-in that
asks for a code; signed-in devices listed, one ended from the page and its refresh refused; and
axe on the new panels in the four languages."""

import json
import re
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from tests.browser.conftest import LOCALES, Portal, catalog
from tests.browser.test_desk_a11y import choose_language
from tests.browser.test_portal import PASSWORD, create_user, sign_in
from tests.identity.test_two_step import code, wrong_code
from tests.kit import Mailpit, unique_email

EN = catalog("en")
AXE = Axe()
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


async def _customer(stack: dict[str, Any]) -> str:
    email = unique_email("console")
    await create_user(stack, email, "customer")
    return email


async def _signed_in(portal: Portal, email: str) -> Page:
    page = await portal.page()
    await page.goto("/signin")
    await sign_in(page, email, PASSWORD)
    return page


async def _start_enrolment(page: Page) -> str:
    await page.goto("/account")
    await page.locator("#two-step-start").click()
    await expect(page.locator("img.qr-code")).to_be_visible()
    secret = await page.locator("#two-step-secret").get_attribute("data-secret")
    assert secret and len(secret) == 32
    return secret


async def test_set_up_two_step_then_sign_in_with_a_code(portal: Portal, stack: dict[str, Any]) -> None:
    email = await _customer(stack)
    page = await _signed_in(portal, email)
    secret = await _start_enrolment(page)
    # The key is shown in groups of four for typing by hand.
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", await page.locator("#two-step-secret").inner_text())
    await page.locator("#two-step").get_by_label(EN["field.code"], exact=True).fill(code(secret))
    await page.locator("#two-step-confirm").click()
    await expect(page.locator("#recovery-codes li")).to_have_count(10)
    await page.locator("#two-step-done").click()
    await expect(page.locator("#two-step")).to_contain_text(EN["two_step.on"])

    await page.locator("#sign-out").click()
    await expect(page).to_have_url(re.compile(r"/signin"))
    await page.get_by_label(EN["field.email"], exact=True).fill(email)
    await page.get_by_label(EN["field.password"], exact=True).fill(PASSWORD)
    await page.get_by_role("button", name=EN["action.sign_in"], exact=True).click()
    await expect(page.locator("#two-step-sign-in")).to_be_visible()
    await page.get_by_label(EN["field.code"], exact=True).fill(wrong_code(secret))
    await page.locator("#sign-in-code").click()
    await expect(page.locator("#two-step-sign-in .notice-error")).to_be_visible()
    # The next step's code: the one used to turn it on does not work a second time.
    await page.get_by_label(EN["field.code"], exact=True).fill(code(secret, 1))
    await page.locator("#sign-in-code").click()
    await expect(page).to_have_url(re.compile(r"/licenses$"))


async def test_a_device_is_signed_out_from_the_sessions_list(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient
) -> None:
    email = await _customer(stack)
    other = await gateway.post(
        "/api/identity/auth/login",
        json={"email": email, "password": PASSWORD},
        headers={"User-Agent": FIREFOX},
    )
    assert other.status_code == 200, other.text
    page = await _signed_in(portal, email)
    await page.goto("/account")
    rows = page.locator(".session-row")
    await expect(rows).to_have_count(2)
    await expect(page.locator(".session-row[data-current='true']")).to_contain_text(EN["sessions.current"])
    firefox = page.locator(".session-row[data-current='false']")
    await expect(firefox).to_contain_text("Firefox 121 · Linux")
    await firefox.get_by_role(
        "button", name=EN["sessions.end.label"].format(device="Firefox 121 · Linux")
    ).click()
    await expect(rows).to_have_count(1)
    refused = await gateway.post(
        "/api/identity/auth/refresh", json={"refresh_token": other.json()["refresh_token"]}
    )
    assert refused.status_code == 401
    # This browser's own session goes on.
    await page.reload()
    await expect(page.locator(".session-row[data-current='true']")).to_have_count(1)


async def _violations(page: Page, what: str) -> list[str]:
    await expect(page.locator("main .loading")).to_have_count(0)
    results = await AXE.run(page)
    return [
        f"{what} {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("locale", LOCALES)
async def test_console_panels_have_no_axe_violations(
    portal: Portal, stack: dict[str, Any], locale: str
) -> None:
    email = await _customer(stack)
    page = await _signed_in(portal, email)
    await choose_language(page, locale)
    await page.goto("/account")
    await expect(page.locator(".session-row")).to_have_count(1)
    found = await _violations(page, "/account")
    secret = await _start_enrolment(page)
    found += await _violations(page, "/account enrolment")
    await page.locator("#two-step form input[name='code']").fill(code(secret))
    await page.locator("#two-step-confirm").click()
    await expect(page.locator("#recovery-codes li")).to_have_count(10)
    found += await _violations(page, "/account recovery codes")
    await page.locator("#two-step-done").click()
    await expect(page.locator("#two-step-disable")).to_be_visible()
    found += await _violations(page, "/account two-step on")

    await page.locator("#sign-out").click()
    await page.locator("input[name='email']").fill(email)
    await page.locator("input[name='password']").fill(PASSWORD)
    await page.locator("#sign-in").click()
    await expect(page.locator("#two-step-sign-in")).to_be_visible()
    found += await _violations(page, "/signin code step")
    assert not found, "\n".join(found)


async def test_download_my_data_saves_one_json_of_every_service(
    portal: Portal, stack: dict[str, Any]
) -> None:
    email = await _customer(stack)
    page = await _signed_in(portal, email)
    await page.goto("/account")
    async with page.expect_download() as started:
        await page.locator("#my-data-download").click()
    download = await started.value
    assert re.fullmatch(r"my-data-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    saved = json.loads((await download.path()).read_text(encoding="utf-8"))
    assert set(saved) == {"exported_at", "identity", "licensing", "cases"}
    assert saved["identity"]["account"]["email"] == email
    assert saved["licensing"] == {"licenses": [], "contracts": []} and saved["cases"] == {"cases": []}


async def test_close_my_account_signs_out_and_the_password_no_longer_works(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient
) -> None:
    email = await _customer(stack)
    page = await _signed_in(portal, email)
    await page.goto("/account")
    form = page.locator("form", has=page.locator("#close-account"))
    await form.get_by_label(EN["field.current_password"], exact=True).fill("Wrong-password-2026")
    await page.locator("#close-account").click()
    await expect(form.locator(".notice-error")).to_be_visible()
    await form.get_by_label(EN["field.current_password"], exact=True).fill(PASSWORD)
    await page.locator("#close-account").click()
    await expect(page).to_have_url(re.compile(r"/signin\?closed=1$"))
    await expect(page.locator("main")).to_contain_text(EN["close_account.done"])
    refused = await gateway.post("/api/identity/auth/login", json={"email": email, "password": PASSWORD})
    assert refused.status_code == 401


async def _two_step_on(page: Page) -> tuple[str, list[str]]:
    secret = await _start_enrolment(page)
    await page.locator("#two-step").get_by_label(EN["field.code"], exact=True).fill(code(secret))
    await page.locator("#two-step-confirm").click()
    await expect(page.locator("#recovery-codes li")).to_have_count(10)
    shown = await page.locator("#recovery-codes li").all_inner_texts()
    await page.locator("#two-step-done").click()
    return secret, shown


async def test_new_recovery_codes_are_shown_once_and_the_count_of_those_left(
    portal: Portal, stack: dict[str, Any]
) -> None:
    email = await _customer(stack)
    page = await _signed_in(portal, email)
    _, first = await _two_step_on(page)
    card = page.locator("#two-step")
    await expect(card).to_contain_text(f"{EN['two_step.codes_left']}")
    await expect(card.locator("dd", has_text=re.compile(r"^10$"))).to_have_count(1)

    renew = page.locator("#two-step-renew-form")
    await renew.get_by_label(EN["field.current_password"], exact=True).fill(PASSWORD)
    await renew.get_by_label(EN["field.code"], exact=True).fill(first[0])
    await page.locator("#two-step-renew").click()
    await expect(page.locator("#recovery-codes li")).to_have_count(10)
    await expect(card).to_contain_text(EN["two_step.renewed"])
    second = await page.locator("#recovery-codes li").all_inner_texts()
    assert not set(first) & set(second)
    await page.locator("#two-step-done").click()
    await expect(page.locator("#recovery-codes")).to_have_count(0)  # shown once: gone after "continue"
    await expect(card.locator("dd", has_text=re.compile(r"^10$"))).to_have_count(1)

    # A wrong code renews nothing and says why on the form.
    await renew.get_by_label(EN["field.current_password"], exact=True).fill(PASSWORD)
    await renew.get_by_label(EN["field.code"], exact=True).fill(first[1])
    await page.locator("#two-step-renew").click()
    await expect(renew.locator(".notice-error")).to_be_visible()


async def test_closing_with_two_step_on_asks_for_a_code(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient, mailpit: Mailpit
) -> None:
    email = await _customer(stack)
    page = await _signed_in(portal, email)
    secret, _ = await _two_step_on(page)
    form = page.locator("form", has=page.locator("#close-account"))
    await form.get_by_label(EN["field.current_password"], exact=True).fill(PASSWORD)
    await page.locator("#close-account").click()
    await expect(form.locator(".notice-error")).to_be_visible()  # the password alone is not enough
    await form.locator("input[name='code']").fill(code(secret, 1))  # labelled "Code (optional)"
    await page.locator("#close-account").click()
    await expect(page).to_have_url(re.compile(r"/signin\?closed=1$"))
    refused = await gateway.post("/api/identity/auth/login", json={"email": email, "password": PASSWORD})
    assert refused.status_code == 401
    # The closing is confirmed at the address the account had.
    await mailpit.wait_for(email, subject_contains="Your account was closed")


async def test_change_email_from_the_account_page(
    portal: Portal, stack: dict[str, Any], mailpit: Mailpit
) -> None:
    email = await _customer(stack)
    page = await _signed_in(portal, email)
    await page.goto("/account")
    form = page.locator("form", has=page.locator("#email-change"))
    new_email = unique_email("moved")
    await form.get_by_label(EN["field.new_email"], exact=True).fill(new_email)
    await form.get_by_label(EN["field.current_password"], exact=True).fill(PASSWORD)
    await page.locator("#email-change").click()
    await expect(form.locator(".notice-success")).to_contain_text(EN["email_change.sent"])
    [mail] = await mailpit.wait_for(new_email)
    link = await mailpit.link_in(mail["ID"])
    assert "/verify?token=" in link, link
    await page.goto(link)
    await expect(page.locator("#verify-result")).to_have_attribute("data-state", "verified")
    # The old address is told (the notifier's email_changed mail), and the account shows the new one.
    await mailpit.wait_for(email, subject_contains="The email address of your account was changed")
    await page.goto("/account")
    profile = page.locator("main .facts").filter(has=page.get_by_text(EN["field.email"], exact=True))
    await expect(profile).to_contain_text(new_email)
