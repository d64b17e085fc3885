"""The customer portal in a real Chromium against the real stack (gateway + services + Mailpit).

SP_TEST_SERVICES=identity,licensing,notifier is enough: sign-in language switch, registration
with the real verification mail, the manual's menus, binding a license and downloading its file.
"""

import asyncio
import json
import re
from datetime import date, timedelta
from typing import Any

import httpx
from playwright.async_api import Page, expect

from shared import clock
from tests.browser.conftest import LOCALES, Portal, catalog
from tests.kit import Mailpit, client_ip, eventually, service_cli, unique_email

MENU_KEYS = (
    "menu.profile.licenses",
    "menu.profile.contracts",
    "menu.download.products",
    "menu.download.updates",
    "menu.cases.open",
    "menu.cases.manage",
)
PASSWORD = "Quiet-harbor-lantern-2026"
EN = catalog("en")


async def sign_in(page: Page, email: str, password: str) -> None:
    await page.get_by_label(EN["field.email"], exact=True).fill(email)
    await page.get_by_label(EN["field.password"], exact=True).fill(password)
    await page.get_by_role("button", name=EN["action.sign_in"], exact=True).click()
    await expect(page).to_have_url(re.compile(r"/licenses$"))


async def create_user(stack: dict[str, Any], email: str, roles: str) -> str:
    output = await asyncio.to_thread(
        service_cli,
        stack,
        "identity",
        "create-user",
        "--email",
        email,
        "--name",
        "Portal Tester",
        "--phone",
        "+886912345678",
        "--password",
        PASSWORD,
        "--locale",
        "en",
        "--roles",
        roles,
        "--verified",
    )
    return output.strip()


async def access_token(gateway: httpx.AsyncClient, email: str) -> str:
    response = await gateway.post("/api/identity/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def issue_license(
    gateway: httpx.AsyncClient,
    admin: dict[str, str],
    purchased_on: date,
    warranty_ends: date,
    *,
    edition: str = "Standard",
    seats: int = 5,
) -> dict[str, Any]:
    """Issue a license through the back-office API (serial + registration number, shown once)."""
    response = await gateway.post(
        "/api/licensing/admin/licenses",
        headers=admin,
        json={
            "product": "OMFLOW",
            "edition": edition,
            "seats": seats,
            "purchased_on": purchased_on.isoformat(),
            "warranty_ends": warranty_ends.isoformat(),
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_sign_in_page_switches_language_and_remembers_it(portal: Portal) -> None:
    page = await portal.page(locale="ja-JP")
    await page.goto("/signin")
    html = page.locator("html")
    # First visit: the browser's preferred language decides.
    await expect(html).to_have_attribute("lang", "ja")
    await expect(page.get_by_role("heading", level=1)).to_have_text(catalog("ja")["signin.title"])
    for locale in LOCALES:
        labels = catalog(locale)
        await page.locator("#language").select_option(locale)
        await expect(html).to_have_attribute("lang", locale)
        await expect(page.get_by_role("heading", level=1)).to_have_text(labels["signin.title"])
        await expect(page.get_by_label(labels["field.email"], exact=True)).to_be_visible()
        await expect(page.get_by_label(labels["field.password"], exact=True)).to_be_visible()
        await expect(page.get_by_role("link", name=labels["register"], exact=True)).to_be_visible()
        await expect(page.get_by_role("button", name=labels["action.sign_in"], exact=True)).to_be_visible()
        await portal.snap(page, f"signin-{locale}")
    await page.locator("#language").select_option("zh-CN")
    await page.reload()
    await expect(html).to_have_attribute("lang", "zh-CN")
    await expect(page.get_by_role("link", name=catalog("zh-CN")["register"], exact=True)).to_be_visible()


async def test_register_verify_by_mail_then_sign_in_shows_the_manual_menus(
    portal: Portal, mailpit: Mailpit
) -> None:
    email = unique_email("portal")
    page = await portal.page()
    await page.goto("/signin")
    await page.get_by_role("link", name=EN["register"], exact=True).click()
    await expect(page).to_have_url(re.compile(r"/register$"))
    await page.get_by_label(EN["field.name"], exact=True).fill("Mei-Ling Chen")
    await page.get_by_label(EN["field.phone"], exact=True).fill("0912 345 678")
    await page.get_by_label(EN["field.email"], exact=True).fill(email)
    await page.get_by_label(EN["field.password"], exact=True).fill(PASSWORD)
    await page.get_by_label(EN["field.password_confirm"], exact=True).fill(PASSWORD)
    await portal.snap(page, "register-filled")
    await page.get_by_role("button", name=EN["action.create_account"]).click()

    await expect(page).to_have_url(re.compile(r"/register/sent\?email="))
    await expect(page.get_by_role("heading", level=1)).to_have_text(EN["sent.title"])
    await expect(page.get_by_text(EN["sent.blocked.detail"])).to_be_visible()
    await portal.snap(page, "register-sent")

    mails = await mailpit.wait_for(email)
    link = await mailpit.link_in(mails[0]["ID"])
    assert "/verify?token=" in link, link
    await page.goto(link)
    await expect(page.locator("#verify-result")).to_have_attribute("data-state", "verified")
    await portal.snap(page, "verified")
    await page.get_by_role("link", name=EN["action.sign_in"], exact=True).click()
    await expect(page).to_have_url(re.compile(r"/signin\?verified=1"))
    await sign_in(page, email, PASSWORD)

    nav = page.get_by_role("navigation")
    for key in MENU_KEYS:
        await expect(nav.get_by_role("link", name=EN[key], exact=True)).to_be_visible()
    await expect(page.get_by_role("heading", level=1)).to_have_text(EN["menu.profile.licenses"])
    await expect(page.get_by_text(EN["licenses.empty.title"])).to_be_visible()
    await portal.snap(page, "licenses-empty")

    # The header switch changes every menu to the manual's labels of that language.
    await page.locator("#language").select_option("zh-TW")
    zh_tw = catalog("zh-TW")
    for key in MENU_KEYS:
        await expect(nav.get_by_role("link", name=zh_tw[key], exact=True)).to_be_visible()
    await expect(page.get_by_role("heading", level=1)).to_have_text(zh_tw["menu.profile.licenses"])
    await portal.snap(page, "licenses-empty-zh-TW")


async def test_verification_link_that_is_not_valid_offers_a_new_one(portal: Portal) -> None:
    page = await portal.page()
    await page.goto("/verify?token=not-a-real-token")
    await expect(page.locator("#verify-result")).to_have_attribute("data-state", "failed")
    await expect(page.get_by_role("alert")).to_be_visible()
    await expect(page.get_by_role("button", name=EN["action.resend_verification"])).to_be_visible()


async def test_add_license_search_preview_submit_and_download_file(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient
) -> None:
    admin_email = unique_email("portal-admin")
    customer_email = unique_email("portal-customer")
    await create_user(stack, admin_email, "admin")
    await create_user(stack, customer_email, "customer")
    admin = {"Authorization": f"Bearer {await access_token(gateway, admin_email)}"}
    today = clock.today()
    issued = await issue_license(
        gateway,
        admin,
        today - timedelta(days=30),
        today + timedelta(days=335),
        edition="Enterprise",
        seats=25,
    )
    serial, registration = issued["serial"], issued["registration_number"]

    # Licensing learns that the account is verified from identity's event: wait for it.
    customer = {"Authorization": f"Bearer {await access_token(gateway, customer_email)}"}

    async def licensing_knows_customer() -> bool:
        response = await gateway.post(
            "/api/licensing/me/licenses/search",
            headers=customer,
            json={"serial": serial, "registration_number": registration},
        )
        return response.status_code == 200

    await eventually(
        licensing_knows_customer, timeout=60, interval=0.5, what="licensing to see the account verified"
    )

    page = await portal.page()
    await page.goto("/signin")
    await sign_in(page, customer_email, PASSWORD)
    await page.get_by_role("button", name=EN["action.add_license"], exact=True).first.click()
    panel = page.locator("#add-license-panel")
    await expect(panel).to_be_visible()
    submit = panel.get_by_role("button", name=EN["action.submit"], exact=True)
    await expect(submit).to_be_disabled()
    await panel.get_by_label(EN["field.license_serial"], exact=True).fill(serial)
    await panel.get_by_label(EN["field.license_registration"], exact=True).fill(registration)
    await panel.get_by_role("button", name=EN["action.search"], exact=True).click()

    preview = page.locator("#license-preview")
    await expect(preview).to_contain_text("OMFLOW")
    await expect(preview).to_contain_text("Enterprise")
    await expect(preview).to_contain_text("25")
    await expect(preview).to_contain_text(EN["status.in_warranty"])
    await portal.snap(page, "license-preview")
    await expect(submit).to_be_enabled()
    await submit.click()

    row = page.locator(f'#license-table tr[data-serial="{serial}"]')
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("OMFLOW")
    await expect(panel).to_be_hidden()
    await portal.snap(page, "licenses-bound")

    async with page.expect_download() as info:
        await row.get_by_role("button", name=re.compile(re.escape(serial))).click()
    download = await info.value
    assert download.suggested_filename == f"{serial}.lic"
    document = json.loads((await download.path()).read_text(encoding="utf-8"))
    assert document["payload"]["serial"] == serial
    assert document["payload"]["product"] == "OMFLOW"
    assert document["signature"]


async def test_open_a_case_on_a_covered_license_then_reply_in_case_management(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient
) -> None:
    admin_email = unique_email("portal-admin")
    customer_email = unique_email("portal-case")
    await create_user(stack, admin_email, "admin")
    await create_user(stack, customer_email, "customer")
    admin = {"Authorization": f"Bearer {await access_token(gateway, admin_email)}"}
    customer = {"Authorization": f"Bearer {await access_token(gateway, customer_email)}"}
    today = clock.today()
    covered = await issue_license(gateway, admin, today - timedelta(days=20), today + timedelta(days=345))
    lapsed = await issue_license(gateway, admin, today - timedelta(days=800), today - timedelta(days=435))

    async def bind(license: dict[str, Any]) -> bool:
        body = {"serial": license["serial"], "registration_number": license["registration_number"]}
        response = await gateway.post("/api/licensing/me/licenses", headers=customer, json=body)
        return response.status_code in (200, 201)

    await eventually(lambda: bind(covered), timeout=60, interval=0.5, what="the covered license to bind")
    assert await bind(lapsed)

    page = await portal.page()
    await page.goto("/signin")
    await sign_in(page, customer_email, PASSWORD)
    await page.get_by_role("navigation").get_by_role("link", name=EN["menu.cases.open"], exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(EN["menu.cases.open"])
    await expect(page.get_by_text(EN["cases.scope.out"])).to_be_visible()
    covered_choice = page.get_by_role("radio", name=re.compile(re.escape(covered["serial"])))
    lapsed_choice = page.get_by_role("radio", name=re.compile(re.escape(lapsed["serial"])))
    await expect(covered_choice).to_be_checked()
    await expect(lapsed_choice).to_be_disabled()

    await page.get_by_label(EN["cases.field.category"], exact=True).select_option("bug")
    await page.get_by_label(EN["cases.field.subject"], exact=True).fill("Approval step never completes")
    await page.get_by_label(EN["cases.field.description"], exact=True).fill(
        "After update 5.2.1 the step hangs."
    )
    await portal.snap(page, "case-open-filled")

    # The cases service learns the binding from an event: submit until its projection has it.
    async def opened() -> bool:
        if await page.locator("#case-opened").count():
            return True
        await page.locator("#case-submit").click()
        try:
            await expect(page.locator("#case-opened")).to_be_visible(timeout=2_000)
        except AssertionError:
            return False
        return True

    await eventually(opened, timeout=60, interval=0.5, what="the case to open")
    number = (await page.locator("#case-opened .case-number").inner_text()).strip()
    assert re.fullmatch(r"C-\d{4}-\d+", number), number
    await portal.snap(page, "case-opened")

    await page.get_by_role("link", name=EN["cases.view"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Approval step never completes")
    await page.get_by_label(EN["cases.reply.label"], exact=True).fill("The log shows a timeout at 10:42.")
    await page.get_by_role("button", name=EN["cases.reply.send"]).click()
    await expect(page.get_by_text("The log shows a timeout at 10:42.")).to_be_visible()
    await portal.snap(page, "case-detail")

    await page.get_by_role("navigation").get_by_role("link", name=EN["menu.cases.manage"], exact=True).click()
    await expect(page.locator("#case-table")).to_contain_text(number)


async def test_forgot_password_mail_link_sets_a_new_password(
    portal: Portal, stack: dict[str, Any], mailpit: Mailpit
) -> None:
    email = unique_email("portal-reset")
    await create_user(stack, email, "customer")
    new_password = "Amber-meadow-compass-77"
    page = await portal.page()
    await page.goto("/signin")
    await page.get_by_role("link", name=EN["signin.forgot"]).click()
    await page.get_by_label(EN["field.email"], exact=True).fill(email)
    await page.get_by_role("button", name=EN["action.send_reset_link"]).click()
    await expect(page.get_by_text(EN["forgot.sent.title"])).to_be_visible()

    # The account also gets a welcome mail: look for the one with the reset link.
    async def reset_link() -> str | None:
        for mail in await mailpit.messages_to(email):
            body = (await mailpit.message(mail["ID"]))["Text"]
            found = re.search(r"https?://\S+?/reset-password\?token=[\w\-.~%]+", body)
            if found:
                return found.group(0)
        return None

    link = await eventually(reset_link, timeout=60, interval=0.5, what=f"a reset mail to {email}")
    await page.goto(link)
    await page.get_by_label(EN["field.new_password"], exact=True).fill(new_password)
    await page.get_by_label(EN["field.password_confirm"], exact=True).fill(new_password)
    await page.get_by_role("button", name=EN["action.set_password"]).click()
    await expect(page).to_have_url(re.compile(r"/signin\?reset=1"))
    await sign_in(page, email, new_password)


async def test_unlock_link_from_the_mail_clears_the_counters_then_sign_in_works(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient, mailpit: Mailpit
) -> None:
    email = unique_email("portal-unlock")
    await create_user(stack, email, "customer")
    for attempt in range(5):  # strangers at five addresses: none of them reaches its own lock
        wrong = await gateway.post(
            "/api/identity/auth/login",
            json={"email": email, "password": f"Guess-{attempt}-abcdefg"},
            headers={"X-Forwarded-For": client_ip()},
        )
        assert wrong.status_code == 401

    async def unlock_link() -> str | None:
        for mail in await mailpit.messages_to(email):
            body = (await mailpit.message(mail["ID"]))["Text"]
            found = re.search(r"https?://\S+?/unlock\?token=[\w\-.~%]+", body)
            if found:
                return found.group(0)
        return None

    link = await eventually(unlock_link, timeout=60, interval=0.5, what=f"an unlock mail to {email}")
    page = await portal.page()
    await page.goto(link)
    await expect(page.locator("#unlock-result[data-state=unlocked]")).to_be_visible()
    await expect(page.get_by_text(EN["unlock.success.title"])).to_be_visible()
    await portal.snap(page, "unlock")
    await page.locator("#unlock-result").get_by_role("link", name=EN["action.sign_in"]).click()
    await sign_in(page, email, PASSWORD)
    # The link is single use: opening it again explains that, in the page's language.
    again = await portal.page()
    await again.goto(link)
    await expect(again.locator("#unlock-result[data-state=failed]")).to_be_visible()
    await expect(again.get_by_text("This unlock link is not valid")).to_be_visible()
