"""Accessibility of the case pages and the support desk: axe-core in Chromium, every language.

Each page is loaded with real data (a case with a staff reply and an internal note) and must
have zero axe violations, in zh-TW, zh-CN, en and ja.
"""

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from shared import clock
from tests.browser.conftest import LOCALES, Portal
from tests.browser.test_desk import sign_in_to
from tests.browser.test_portal import access_token, create_user, issue_license
from tests.kit import eventually, unique_email

AXE = Axe()


@pytest.fixture(scope="module")
async def desk_case(stack: dict[str, Any]) -> dict[str, Any]:
    """A customer with a case that an engineer answered (and noted), made through the API."""
    async with httpx.AsyncClient(base_url=stack["gateway"]["url"], timeout=30) as gateway:
        admin_email, customer_email = unique_email("a11y-admin"), unique_email("a11y-customer")
        engineer_email = unique_email("a11y-engineer")
        await create_user(stack, admin_email, "admin")
        customer_id = await create_user(stack, customer_email, "customer")
        await create_user(stack, engineer_email, "support")
        admin = {"Authorization": f"Bearer {await access_token(gateway, admin_email)}"}
        customer = {"Authorization": f"Bearer {await access_token(gateway, customer_email)}"}
        engineer = {"Authorization": f"Bearer {await access_token(gateway, engineer_email)}"}
        today = clock.today()
        license = await issue_license(gateway, admin, today - timedelta(days=10), today + timedelta(days=300))
        body = {"serial": license["serial"], "registration_number": license["registration_number"]}

        async def bound() -> bool:
            response = await gateway.post("/api/licensing/me/licenses", headers=customer, json=body)
            return response.status_code in (200, 201)

        await eventually(bound, timeout=60, interval=0.5, what="the license to bind")

        async def opened() -> dict[str, Any] | None:
            response = await gateway.post(
                "/api/cases/cases",
                headers=customer,
                json={
                    "license_id": license["license_id"],
                    "category": "bug",
                    "severity": "high",
                    "product_version": "5.2.1",
                    "environment": {"os": "Windows Server 2022"},
                    "subject": "Approval step hangs",
                    "description": "Since 5.2.1 the approval step never completes.",
                },
            )
            return response.json() if response.status_code == 201 else None

        case = await eventually(opened, timeout=60, interval=0.5, what="the case to open")
        path = f"/api/cases/cases/{case['id']}/messages"
        for message in (
            {"body": "Internal: known issue", "internal": True},
            {"body": "Please send the log."},
        ):
            assert (await gateway.post(path, headers=engineer, json=message)).status_code == 201
    return {"case": case, "customer": customer_email, "customer_id": customer_id, "engineer": engineer_email}


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
