"""The product team's Downloads screen in a real Chromium on the real stack: a customer's real
download (MinIO's notification through Kafka) shows in the chart and the table, the CSV export
carries it, and the customer's license shows as still on the older version."""

import asyncio
import os
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import expect

from shared import clock
from tests.browser.conftest import LOCALES, Portal, catalog
from tests.browser.test_back_office import bearer, create_user, sign_in
from tests.browser.test_releases import _account_id
from tests.downloads.conftest import ReleaseTool
from tests.events import EventPublisher
from tests.kit import eventually

EN = catalog("en")


async def test_downloads_screen_shows_real_downloads(
    portal: Portal, stack: dict[str, Any], kafka_bootstrap: str, gateway: httpx.AsyncClient, tmp_path: Path
) -> None:
    product = f"ANA{uuid.uuid4().hex[:6].upper()}"
    tool = ReleaseTool(stack)
    for version, day in (("1.0.0", date(2026, 1, 5)), ("1.1.0", date(2026, 2, 5))):
        artifact = tmp_path / f"{product.lower()}-{version}.zip"
        artifact.write_bytes(os.urandom(64 * 1024))
        tool.publish(
            *(
                "--product",
                product,
                "--version",
                version,
                "--kind",
                "update",
                "--title",
                f"{product} {version}",
            ),
            *("--published-on", day.isoformat(), artifact),
        )
    release_team, customer = await create_user(stack, "release"), await create_user(stack, "customer")
    events = EventPublisher(kafka_bootstrap)
    try:
        today = clock.today()
        bound = await events.bind_license(
            await _account_id(gateway, customer),
            product,
            today - timedelta(days=400),
            today + timedelta(days=300),
        )
    finally:
        await events.close()

    # The customer downloads the older version (a real GET of the presigned URL).
    headers = await bearer(gateway, customer)

    async def old_release() -> str | None:
        listed = await gateway.get("/api/downloads/releases", params={"product": product}, headers=headers)
        found = [r["release_id"] for r in listed.json() if r["version"] == "1.0.0"]
        return found[0] if found and len(listed.json()) == 2 else None

    release_id = await eventually(old_release, what="the releases in the customer's catalog")
    grant = await gateway.get(
        f"/api/downloads/releases/{release_id}/artifacts/{product.lower()}-1.0.0.zip",
        headers={**headers, "Prefer": "no-redirect"},
    )
    assert grant.status_code == 200, grant.text
    async with httpx.AsyncClient(timeout=60) as outside:
        assert (await outside.get(grant.json()["url"])).status_code == 200

    team_headers = await bearer(gateway, release_team)

    async def counted() -> bool:
        daily = await gateway.get(
            "/api/downloads/admin/downloads/daily", params={"product": product}, headers=team_headers
        )
        return any(row["downloads"] == 1 for row in daily.json())

    await eventually(counted, timeout=90, interval=0.5, what="the download counted")

    page = await portal.page()
    await sign_in(page, release_team)
    menu = page.locator('.nav-link[data-menu="menu.download_analytics"]')
    for locale in LOCALES:  # the menu entry, in every language
        await page.locator("#language").select_option(locale)
        await expect(menu).to_contain_text(catalog(locale)["menu.download_analytics"].split(" / ")[-1])
    await page.locator("#language").select_option("en")
    await page.goto(f"/releases/downloads?product={product}")
    await expect(page.locator("#page-title")).to_have_text(EN["menu.download_analytics"])

    row = page.locator(f'#download-table tbody tr[data-release="{release_id}"]')
    await expect(row).to_contain_text(f"{product} 1.0.0")
    await expect(row.locator("td").nth(2)).to_have_text("1")
    await expect(page.locator(f'#download-chart g[data-release="{release_id}"] circle')).to_have_count(1)
    outdated = page.locator(f'#outdated-table tbody tr[data-license="{bound.subject}"]')
    await expect(outdated).to_contain_text("1.0.0")
    await expect(outdated).to_contain_text("1.1.0")
    await portal.snap(page, "download-analytics")

    async with page.expect_download() as started:
        await page.locator("#analytics-csv").click()
    saved = await (await started.value).path()
    csv = (await asyncio.to_thread(saved.read_text, encoding="utf-8")).splitlines()
    assert csv[0] == "day,product,version,release_id,downloads,grants,unused_grants"
    assert any(line.split(",")[1:5] == [product, "1.0.0", release_id, "1"] for line in csv[1:])
