"""Accessibility of every portal page, customer and staff: axe-core in Chromium, every language.

The pages before sign-in, every customer menu, the support desk, the partner directory, the
back office and the product team's releases are loaded with real data (a case with a staff
reply and an internal note) and must have zero axe violations, in zh-TW, zh-CN, en and ja.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from tests.browser.conftest import LOCALES, Portal
from tests.browser.desk_kit import answered_case
from tests.browser.test_desk import sign_in_to
from tests.browser.test_portal import create_user
from tests.kit import unique_email

AXE = Axe()


@pytest.fixture(scope="module")
async def desk_case(stack: dict[str, Any]) -> dict[str, Any]:
    people = await answered_case(stack)
    people["release"] = unique_email("a11y-release")
    await create_user(stack, people["release"], "release")
    return people


async def choose_language(page: Page, locale: str) -> None:
    await page.locator("#language").select_option(locale)
    await expect(page.locator("html")).to_have_attribute("lang", locale)


async def violations_on(page: Page, path: str, ready: str) -> list[tuple[str, Any]]:
    """axe's violations on `path` once `ready` shows and nothing is loading any more."""
    await page.goto(path)
    await expect(page.locator(ready).first).to_be_visible()
    await expect(page.locator("main .loading")).to_have_count(0)
    await expect(page.locator("#app[aria-busy]")).to_have_count(0)
    results = await AXE.run(page)
    return [
        (f"{path} {v['id']} ({v['impact']})", [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]


async def assert_accessible(page: Page, pages: list[tuple[str, str]]) -> None:
    """Every page checked before failing, so one run names every violation."""
    found = [violation for path, ready in pages for violation in await violations_on(page, path, ready)]
    assert not found, "\n".join(f"{rule}: {targets}" for rule, targets in found)


@pytest.mark.parametrize("locale", LOCALES)
async def test_pages_before_sign_in_have_no_axe_violations(portal: Portal, locale: str) -> None:
    page = await portal.page()
    await page.goto("/signin")
    await choose_language(page, locale)
    await assert_accessible(
        page,
        [
            ("/signin", "#sign-in"),
            ("/register", "main form"),
            ("/register/sent", "main h1"),
            ("/forgot-password", "main form"),
            ("/verify?token=not-a-token", "main h1"),
            ("/unlock?token=not-a-token", "main h1"),
            ("/reset-password?token=not-a-token", "main h1"),
            ("/unsubscribe?token=not-a-token", "main h1"),
        ],
    )


@pytest.mark.parametrize("locale", LOCALES)
async def test_customer_staff_and_back_office_pages_have_no_axe_violations(
    portal: Portal, desk_case: dict[str, Any], locale: str
) -> None:
    case_id = desk_case["case"]["id"]
    customer = await portal.page()
    await sign_in_to(customer, desk_case["customer"], "/licenses")
    await choose_language(customer, locale)
    await assert_accessible(
        customer,
        [
            ("/licenses", "#license-table"),
            ("/contracts", "main h1"),
            ("/downloads/products", "main h1"),
            ("/downloads/updates", "main h1"),
            ("/downloads/updates?tab=documents", "main h1"),
            ("/cases/new", "#case-form"),
            ("/cases", "#case-table"),
            (f"/cases/{case_id}", ".message-staff"),
            ("/account", "#mail-preferences-link"),
            ("/preferences", "#mail-preferences"),
        ],
    )

    engineer = await portal.page()
    await sign_in_to(engineer, desk_case["engineer"], "/desk")
    await choose_language(engineer, locale)
    await assert_accessible(
        engineer,
        [
            ("/desk", "#desk-counts"),
            ("/desk/queue", "#queue-table"),
            (f"/desk/cases/{case_id}", ".message-note"),
            (f"/desk/customers?q={desk_case['customer']}", "#customer-results"),
            (f"/desk/customers?user={desk_case['customer_id']}", "#customer-file"),
            (f"/office/accounts?user={desk_case['customer_id']}", "#account-history, #account-audit p"),
            ("/desk/partners", "main h1"),
        ],
    )
    assert re.search(r"/desk/partners", engineer.url)

    admin = await portal.page()
    await sign_in_to(admin, desk_case["admin"], "/desk")
    await choose_language(admin, locale)
    await assert_accessible(
        admin,
        [
            ("/desk/partners", "#partner-form"),
            ("/office/licenses", "main h1"),
            ("/office/licenses/new", "main form"),
            ("/office/contracts/new", "main form"),
            ("/office/import", "main form"),
            ("/office/audit", "main h1"),
            (f"/office/accounts?q={desk_case['customer']}", "#account-table"),
            (
                f"/office/accounts?user={desk_case['customer_id']}",
                '#account-actions form[data-action="roles"]',
            ),
        ],
    )

    product_team = await portal.page()
    await sign_in_to(product_team, desk_case["release"], "/licenses")
    await choose_language(product_team, locale)
    await assert_accessible(
        product_team,
        [("/releases", "#release-draft"), ("/releases/downloads", "#download-daily > :not(.loading)")],
    )
