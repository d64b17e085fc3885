"""The product team's Releases screen in a real Chromium on the real stack: a draft, a 50 MiB file
uploaded in presigned parts with progress, publish, the release in a customer's Update Download,
then withdraw it and see it gone."""

import hashlib
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
from playwright.async_api import Locator, Page, expect

from shared import clock
from tests.browser.conftest import LOCALES, Portal, catalog
from tests.browser.test_back_office import PASSWORD, create_user, sign_in
from tests.events import EventPublisher
from tests.kit import eventually

EN = catalog("en")
MiB = 1024 * 1024


def updates_loaded(page: Page) -> Locator:
    """The Update Download tab once its list (or its empty state) is in."""
    return page.locator("#panel-updates .release-list, #panel-updates .empty").first


async def test_publish_through_the_screen_then_withdraw(
    portal: Portal, stack: dict[str, Any], kafka_bootstrap: str, gateway: httpx.AsyncClient, tmp_path: Path
) -> None:
    product = f"WEB{uuid.uuid4().hex[:6].upper()}"
    title = f"{product} 1.0.1 hotfix"
    installer = tmp_path / f"{product.lower()}-1.0.1.zip"
    # 50 MiB: seven parts of the multipart upload, a few of them in flight at once.
    installer.write_bytes(os.urandom(50 * MiB + 123))
    release_team, customer = await create_user(stack, "release"), await create_user(stack, "customer")
    customer_id = await _account_id(gateway, customer)
    events = EventPublisher(kafka_bootstrap)
    try:
        today = clock.today()
        await events.bind_license(
            customer_id, product, today - timedelta(days=10), today + timedelta(days=300)
        )
    finally:
        await events.close()

    team = await portal.page()
    await sign_in(team, release_team)
    for locale in LOCALES:  # the menu entry, in every language
        await team.locator("#language").select_option(locale)
        label = catalog(locale)["menu.releases"].split(" / ")[-1]
        await expect(team.locator('.nav-link[data-menu="menu.releases"]')).to_contain_text(label)
    await team.locator("#language").select_option("en")
    await team.locator('.nav-link[data-menu="menu.releases"]').click()
    await expect(team.locator("#page-title")).to_have_text(EN["menu.releases"])

    draft = team.locator("#release-draft")
    await draft.get_by_label(EN["releases.field.product"]).fill(product)
    await draft.get_by_label(EN["releases.field.version"]).fill("1.0.1")
    await draft.get_by_label(EN["releases.field.title"], exact=True).fill(title)
    await draft.get_by_role("button", name=EN["releases.create"]).click()
    card = team.locator(f'article.release-card[data-product="{product}"][data-version="1.0.1"]')
    await expect(card).to_contain_text(EN["releases.state.draft"])
    await expect(card).to_contain_text(EN["releases.no_files"])

    await card.locator("input.release-file").set_input_files(installer)
    await card.locator("button.upload-file").click()
    await expect(card.locator("progress.upload-progress")).to_be_visible()
    card = team.locator(f'article.release-card[data-product="{product}"]:has-text("{installer.name}")')
    await expect(card).to_contain_text(
        hashlib.sha256(installer.read_bytes()).hexdigest()[:16], timeout=180_000
    )
    await portal.snap(team, "releases-uploaded")

    await card.locator("button.publish-release").click()
    await expect(
        team.locator(f'article.release-card[data-product="{product}"][data-state="published"]')
    ).to_be_visible()

    # A corrected version can now name it as the release it replaces.
    await expect(team.locator('#release-draft select[name="corrects"]')).to_contain_text(f"{product} 1.0.1")

    shop = await portal.page()
    await sign_in(shop, customer)

    async def listed() -> bool:
        await shop.goto("/downloads/updates")
        await expect(updates_loaded(shop)).to_be_visible()
        return await shop.get_by_text(title).count() == 1

    await eventually(listed, timeout=60, what="the release in the customer's Update Download")
    await expect(shop.get_by_text(installer.name)).to_be_visible()
    await portal.snap(shop, "releases-customer-sees")

    published = team.locator(f'article.release-card[data-product="{product}"][data-version="1.0.1"]')
    await published.locator("button.withdraw-release").click()
    await published.get_by_label(EN["releases.withdraw.reason"]).fill(
        "The installer fails on Windows Server 2016"
    )
    await published.locator("button.confirm-withdraw").click()
    withdrawn = team.locator(f'article.release-card[data-product="{product}"][data-state="withdrawn"]')
    await expect(withdrawn).to_contain_text("Windows Server 2016")
    await expect(withdrawn.locator("button.publish-release")).to_have_count(0)

    await shop.goto("/downloads/updates")
    await expect(updates_loaded(shop)).to_be_visible()
    await expect(shop.get_by_text(title)).to_have_count(0)


async def _account_id(gateway: httpx.AsyncClient, email: str) -> uuid.UUID:
    response = await gateway.post("/api/identity/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return uuid.UUID(jwt.decode(response.json()["access_token"], options={"verify_signature": False})["sub"])


async def test_the_screen_is_for_the_release_role(portal: Portal, stack: dict[str, Any]) -> None:
    page: Page = await portal.page()
    await sign_in(page, await create_user(stack, "support"))
    await expect(page.locator('.nav-link[data-menu="menu.releases"]')).to_have_count(0)
    await page.goto("/releases")
    await expect(page.get_by_text(EN["releases.forbidden.title"])).to_be_visible()
