"""Support desk / Partner directory in Chromium: an administrator adds, edits and removes a
partner; an engineer sees no such menu and is told the page is for administrators."""

import uuid
from typing import Any

import httpx
from playwright.async_api import Dialog, Page, expect

from tests.browser.conftest import LOCALES, Portal, catalog
from tests.browser.test_desk import sign_in_to
from tests.browser.test_portal import access_token, create_user
from tests.kit import unique_email

EN = catalog("en")
API = "/api/cases/desk/partners"


async def fill_partner(page: Page, *, name: str, region: str, contact: str, products: str) -> None:
    form = page.locator("#partner-form")
    await form.get_by_label(EN["desk.partners.name"], exact=True).fill(name)
    await form.get_by_label(EN["desk.partners.region"], exact=True).fill(region)
    await form.get_by_label(EN["desk.partners.contact"], exact=True).fill(contact)
    await form.get_by_label(EN["desk.partners.products"], exact=True).fill(products)
    await page.locator("#partner-submit").click()


async def test_admin_keeps_the_partner_directory(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient
) -> None:
    admin_email, engineer_email = unique_email("partners-admin"), unique_email("partners-engineer")
    await create_user(stack, admin_email, "admin")
    await create_user(stack, engineer_email, "support")
    engineer = {"Authorization": f"Bearer {await access_token(gateway, engineer_email)}"}
    product = f"P{uuid.uuid4().hex[:8].upper()}"
    name = f"Kaohsiung Integrators {product}"

    page = await portal.page()
    await sign_in_to(page, admin_email, "/desk")
    await (
        page.get_by_role("navigation").get_by_role("link", name=EN["menu.desk.partners"], exact=True).click()
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text(EN["desk.partners.title"])

    # A region that is not a two-letter code is refused in the form, nothing is stored.
    await fill_partner(page, name=name, region="T1", contact="+886 7 555 0100", products=product)
    await expect(page.locator("#partner-form .field[data-field='region'] .field-error")).to_be_visible()
    await fill_partner(page, name=name, region="tw", contact="+886 7 555 0100", products=f"{product}, omdoc")
    row = page.locator("#partner-table tbody tr", has_text=name)
    await expect(row).to_contain_text("TW")
    await expect(row).to_contain_text(f"{product}, OMDOC")
    await portal.snap(page, "partner-directory")

    # Engineers find it from the case workspace's API, by region and product.
    found = await gateway.get(API, params={"region": "TW", "product": product}, headers=engineer)
    assert [p["name"] for p in found.json()] == [name]

    await row.get_by_role("button", name=f"{EN['desk.partners.edit']} {name}").click()
    await expect(page.locator("#partner-form-title")).to_have_text(
        EN["desk.partners.edit_title"].format(name=name)
    )
    await (
        page.locator("#partner-form")
        .get_by_label(EN["desk.partners.contact"], exact=True)
        .fill("partners@kaohsiung.example")
    )
    await page.locator("#partner-submit").click()
    await expect(row).to_contain_text("partners@kaohsiung.example")
    await expect(page.locator("#partner-form-title")).to_have_text(EN["desk.partners.add_title"])
    changed = await gateway.get(API, params={"product": product}, headers=engineer)
    assert [p["contact"] for p in changed.json()] == ["partners@kaohsiung.example"]

    # The page speaks every language.
    for locale in LOCALES:
        await page.locator("#language").select_option(locale)
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            catalog(locale)["desk.partners.title"]
        )
        await expect(page.locator("#partner-table thead")).to_contain_text(
            catalog(locale)["desk.partners.contact"]
        )
    await page.locator("#language").select_option("en")

    async def confirm(dialog: Dialog) -> None:
        assert name in dialog.message
        await dialog.accept()

    page.once("dialog", confirm)
    await row.get_by_role("button", name=f"{EN['desk.partners.remove']} {name}").click()
    await expect(page.locator("#partner-table tbody tr", has_text=name)).to_have_count(0)
    gone = await gateway.get(API, params={"product": product}, headers=engineer)
    assert gone.json() == []

    # An engineer reads the directory through the workspace but does not keep it.
    staff = await portal.page()
    await sign_in_to(staff, engineer_email, "/desk")
    await expect(staff.get_by_role("link", name=EN["menu.desk.partners"], exact=True)).to_have_count(0)
    await staff.goto("/desk/partners")
    await expect(staff.locator("main")).to_contain_text(EN["desk.partners.admin_only"])
    await expect(staff.locator("#partner-form")).to_have_count(0)
