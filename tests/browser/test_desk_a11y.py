"""Accessibility of the case pages and the support desk: axe-core in Chromium, every language.

Each page is loaded with real data (a case with a staff reply and an internal note) and must
have zero axe violations, in zh-TW, zh-CN, en and ja.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from tests.browser.conftest import LOCALES, Portal
from tests.browser.desk_kit import answered_case
from tests.browser.test_desk import sign_in_to

AXE = Axe()


@pytest.fixture(scope="module")
async def desk_case(stack: dict[str, Any]) -> dict[str, Any]:
    return await answered_case(stack)


async def choose_language(page: Page, locale: str) -> None:
    await page.locator("#language").select_option(locale)
    await expect(page.locator("html")).to_have_attribute("lang", locale)


async def assert_accessible(page: Page, path: str, ready: str) -> None:
    await page.goto(path)
    await expect(page.locator(ready).first).to_be_visible()
    await expect(page.locator("main .loading")).to_have_count(0)
    results = await AXE.run(page)
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]
    assert not violations, f"{path}: {violations}"


@pytest.mark.parametrize("locale", LOCALES)
async def test_case_and_desk_pages_have_no_axe_violations(
    portal: Portal, desk_case: dict[str, Any], locale: str
) -> None:
    case_id = desk_case["case"]["id"]
    customer = await portal.page()
    await sign_in_to(customer, desk_case["customer"], "/licenses")
    await choose_language(customer, locale)
    for path, ready in (
        ("/cases/new", "#case-form"),
        ("/cases", "#case-table"),
        (f"/cases/{case_id}", ".message-staff"),
    ):
        await assert_accessible(customer, path, ready)

    engineer = await portal.page()
    await sign_in_to(engineer, desk_case["engineer"], "/desk")
    await choose_language(engineer, locale)
    for path, ready in (
        ("/desk", "#desk-counts"),
        ("/desk/queue", "#queue-table"),
        (f"/desk/cases/{case_id}", ".message-note"),
        (f"/desk/customers?q={desk_case['customer']}", "#customer-results"),
        (f"/desk/customers?user={desk_case['customer_id']}", "#customer-file"),
    ):
        await assert_accessible(engineer, path, ready)
    assert re.search(r"/desk/customers", engineer.url)
