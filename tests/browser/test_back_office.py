"""The back office in a real Chromium on the real stack: an administrator issues a contract while
the page explains the back-pay gap, and imports licenses from CSV (a bad file, then a good one)."""

import asyncio
import re
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import LOCALES, Portal, catalog
from tests.kit import eventually, service_cli, unique_email

PASSWORD = "Quiet-harbor-lantern-2026"
EN = catalog("en")
OFFICE_MENU = (
    "menu.office.licenses",
    "menu.office.issue",
    "menu.office.contract",
    "menu.office.import",
    "menu.office.audit",
    "menu.office.accounts",
)


async def create_user(stack: dict[str, Any], roles: str) -> str:
    email = unique_email(f"office-{roles.replace(',', '-')}")
    await asyncio.to_thread(
        service_cli,
        stack,
        "identity",
        "create-user",
        *("--email", email, "--name", "Office Tester", "--phone", "+886912345678"),
        *("--password", PASSWORD, "--locale", "en", "--roles", roles, "--verified"),
    )
    return email


async def sign_in(page: Page, email: str) -> None:
    await page.goto("/signin")
    await page.get_by_label(EN["field.email"], exact=True).fill(email)
    await page.get_by_label(EN["field.password"], exact=True).fill(PASSWORD)
    await page.get_by_role("button", name=EN["action.sign_in"], exact=True).click()
    await expect(page.locator(".nav-link").first).to_be_visible()


def item_of(label: str) -> str:
    return label.split(" / ")[-1]


async def bearer(gateway: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await gateway.post("/api/identity/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_back_office_menu_is_for_administrators_only(portal: Portal, stack: dict[str, Any]) -> None:
    admin, support = await create_user(stack, "admin"), await create_user(stack, "support")
    page = await portal.page()
    await sign_in(page, admin)
    for locale in LOCALES:
        await page.locator("#language").select_option(locale)
        labels = catalog(locale)
        for key in OFFICE_MENU:
            await expect(page.locator(f'.nav-link[data-menu="{key}"]')).to_contain_text(item_of(labels[key]))
    await portal.snap(page, "office-menu-ja")

    other = await portal.page()
    await sign_in(other, support)
    await expect(other.locator('.nav-link[data-menu="menu.profile.licenses"]')).to_be_visible()
    # Of the back office, a support engineer sees only the account screen (to verify and unlock).
    office = other.locator('.nav-link[data-menu^="menu.office."]')
    await expect(office).to_have_count(1)
    await expect(office).to_have_attribute("data-menu", "menu.office.accounts")
    await other.goto("/office/licenses")
    await expect(other.get_by_text(EN["office.forbidden.title"])).to_be_visible()


async def test_issue_a_contract_seeing_the_gap_explained(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient
) -> None:
    admin = await create_user(stack, "admin")
    issued = await gateway.post(
        "/api/licensing/admin/licenses",
        headers=await bearer(gateway, admin),
        json={
            "product": "OMFLOW",
            "edition": "Standard",
            "seats": 5,
            "purchased_on": "2023-03-01",
            "warranty_ends": "2024-02-29",
        },
    )
    assert issued.status_code == 201, issued.text
    serial = issued.json()["serial"]

    page = await portal.page()
    await sign_in(page, admin)
    await page.locator('.nav-link[data-menu="menu.office.licenses"]').click()
    await page.get_by_label(EN["office.search.q"]).fill(serial)  # "(optional)" follows the label
    await page.get_by_role("button", name=EN["action.search"], exact=True).click()
    row = page.locator(f'tr[data-serial="{serial}"]')
    await expect(row).to_have_attribute("data-state", "unbound")
    await row.get_by_role("link", name=EN["office.action.contract"]).click()
    await expect(page).to_have_url(re.compile(r"/office/contracts/new\?serial="))

    terms = page.locator("#contract-terms")
    await expect(terms).to_contain_text(EN["office.terms.required"])  # the required start, before any date
    await page.get_by_label(EN["office.field.starts_on"], exact=True).fill("2024-06-01")
    await page.get_by_label(EN["office.field.ends_on"], exact=True).fill("2025-05-31")
    gap = page.locator("#contract-gap")
    await expect(gap).to_contain_text("92")  # 1 March to 31 May 2024: the lapsed days to pay back
    await expect(terms).to_contain_text(EN["office.terms.gap.title"])
    await portal.snap(page, "office-contract-gap")

    await page.locator("#use-required-start").click()
    await expect(page.get_by_label(EN["office.field.starts_on"], exact=True)).to_have_value("2024-03-01")
    await expect(terms).to_contain_text(EN["office.terms.fits"])
    await page.get_by_role("button", name=EN["office.contract.submit"], exact=True).click()
    await expect(page.locator("#issued-registration")).to_have_text(
        re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$")
    )
    await expect(terms).to_contain_text(EN["office.terms.required"])  # the next renewal's start
    await portal.snap(page, "office-contract-issued")

    found = await gateway.get(
        "/api/licensing/admin/licenses", params={"q": serial}, headers=await bearer(gateway, admin)
    )
    [license] = found.json()
    assert [(c["starts_on"], c["ends_on"]) for c in license["contracts"]] == [("2024-03-01", "2025-05-31")]


async def test_csv_import_with_a_bad_row_then_a_good_file(portal: Portal, stack: dict[str, Any]) -> None:
    admin = await create_user(stack, "admin")
    header = "product,edition,seats,purchased_on,warranty_ends,customer_ref\n"
    ref = unique_email("csv").split("@")[0]
    bad = (
        header
        + f"OMFLOW,Standard,5,2024-01-01,2025-01-01,{ref}-1\nOMFLOW,Standard,lots,2024-01-01,2025-01-01,{ref}-2\n"
    )
    good = (
        header
        + f"OMFLOW,Standard,5,2024-01-01,2025-01-01,{ref}-1\nOMCLOUD,Team,3,2024-02-01,2025-02-01,{ref}-2\n"
    )

    page = await portal.page()
    await sign_in(page, admin)
    await page.locator('.nav-link[data-menu="menu.office.import"]').click()
    file_input = page.get_by_label(EN["office.import.file"], exact=True)
    run = page.get_by_role("button", name=EN["office.import.run"], exact=True)

    await file_input.set_input_files({"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()})
    await page.get_by_role("button", name=EN["office.import.check"], exact=True).click()
    errors = page.locator("#import-errors tbody tr")
    await expect(errors).to_have_count(1)
    await expect(errors.first).to_have_attribute("data-line", "3")
    await expect(errors.first).to_contain_text("seats")
    await expect(run).to_be_disabled()
    await portal.snap(page, "office-import-bad")

    await file_input.set_input_files({"name": "good.csv", "mimeType": "text/csv", "buffer": good.encode()})
    await page.get_by_role("button", name=EN["office.import.check"], exact=True).click()
    await expect(page.locator("#import-report")).to_contain_text(
        EN["office.import.valid"].replace("{rows}", "2")
    )
    await expect(run).to_be_enabled()
    await run.click()
    await expect(page.locator("#import-progress")).to_have_attribute("value", "100")
    await expect(page.locator("#import-progress-text")).to_have_text(
        EN["office.import.done"].replace("{count}", "2")
    )

    save = page.locator("#import-save")
    async with page.expect_download() as waiting:
        await save.click()
    download = await waiting.value
    exported = (await download.path()).read_text(encoding="utf-8").splitlines()
    assert exported[0] == "serial,registration_number,product,edition,seats,customer_ref"
    assert [line.split(",")[-1] for line in exported[1:]] == [f"{ref}-1", f"{ref}-2"]
    await expect(save).to_be_disabled()  # the registration numbers are downloaded once
    await portal.snap(page, "office-import-done")


async def test_issue_void_restore_and_read_the_audit(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient
) -> None:
    admin, customer = await create_user(stack, "admin"), await create_user(stack, "customer")
    page = await portal.page()
    await sign_in(page, admin)
    await page.locator('.nav-link[data-menu="menu.office.issue"]').click()
    await page.get_by_label(EN["office.field.edition"], exact=True).fill("Enterprise")
    await page.get_by_label(EN["office.field.seats"], exact=True).fill("12")
    await page.get_by_label(EN["office.field.purchased_on"], exact=True).fill("2024-01-01")
    await page.get_by_label(EN["office.field.warranty_ends"], exact=True).fill("2099-12-31")
    await page.get_by_role("button", name=EN["office.issue.submit"], exact=True).click()
    serial = await page.locator("#issued-serial").inner_text()
    registration = await page.locator("#issued-registration").inner_text()
    await expect(page.get_by_text(EN["office.shown_once"])).to_be_visible()

    customer_headers = await bearer(gateway, customer)

    async def bound() -> bool:
        response = await gateway.post(
            "/api/licensing/me/licenses",
            json={"serial": serial, "registration_number": registration},
            headers=customer_headers,
        )
        assert response.status_code in (201, 403), response.text  # 403 until licensing learns "verified"
        return response.status_code == 201

    await eventually(bound, timeout=60, what="the customer to bind the license issued on screen")

    await page.goto(f"/office/licenses?q={serial}")
    row = page.locator(f'tr[data-serial="{serial}"]')
    await expect(row).to_have_attribute("data-state", "bound")
    await row.locator('[data-action="void"]').click()
    form = row.locator('form[data-form="void"]')
    await form.get_by_role("button", name=EN["office.action.void.confirm"], exact=True).click()
    await expect(form).to_contain_text(EN["office.reason.required"])  # no reason, no void
    await form.get_by_label(EN["office.field.reason"], exact=True).fill("Refund requested, order 4411")
    await form.get_by_role("button", name=EN["office.action.void.confirm"], exact=True).click()
    await expect(row).to_have_attribute("data-state", "void")
    mine = await gateway.get("/api/licensing/me/licenses", headers=customer_headers)
    assert mine.json() == []

    await row.locator('[data-action="restore"]').click()
    restore = row.locator('form[data-form="restore"]')
    await restore.get_by_label(EN["office.field.reason"], exact=True).fill("Refund cancelled")
    await restore.get_by_role("button", name=EN["office.action.restore.confirm"], exact=True).click()
    await expect(row).to_have_attribute("data-state", "bound")
    mine = await gateway.get("/api/licensing/me/licenses", headers=customer_headers)
    assert [license["serial"] for license in mine.json()] == [serial]

    await page.goto(f"/office/audit?target={serial}")
    entries = page.locator("#audit-table tbody tr")
    await expect(entries).to_have_count(3)
    await page.get_by_label(EN["office.audit.what"]).select_option("license.restore")
    await page.get_by_role("button", name=EN["office.audit.filter"], exact=True).click()
    await expect(entries).to_have_count(1)
    await expect(entries.first).to_contain_text("Refund cancelled")
    await expect(entries.first).to_contain_text(admin)
    void, yes, no = EN["office.audit.field.void"], EN["office.audit.yes"], EN["office.audit.no"]
    await expect(entries.first).to_contain_text(f"{void}: {yes} → {no}")  # named and valued for people
    await portal.snap(page, "office-audit")
