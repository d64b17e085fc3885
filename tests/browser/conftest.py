"""Browser fixtures: Debian's Chromium driven by Playwright (no browser download), on the gateway.

`portal` opens a fresh browser context (own cookies and storage) on the gateway origin. Set
SP_SCREENSHOTS=<dir> to keep PNG screenshots of the pages the tests pass through.
"""

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.conftest import STATE
from tests.kit import ROOT

CUSTOM_CHROMIUM = os.environ.get("SP_CHROMIUM")  # another browser build; else Debian's, installed if missing
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCALES = ("zh-TW", "zh-CN", "en", "ja")


def catalog(locale: str) -> dict[str, str]:
    return json.loads((ROOT / "web" / "i18n" / f"{locale}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def chromium() -> Path:
    if CUSTOM_CHROMIUM:
        custom = Path(CUSTOM_CHROMIUM)
        assert custom.exists(), f"SP_CHROMIUM={custom} does not exist"
        return custom
    from deploy.local import stack as local_stack

    # The stack tool installs Chromium and the CJK fonts like it installs PostgreSQL and nginx.
    return local_stack.ensure_browser(STATE, quiet=True)


@pytest.fixture(scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


class Portal:
    """Opens pages on the gateway and keeps screenshots when asked to."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        shots = os.environ.get("SP_SCREENSHOTS")
        self.shots = Path(shots) if shots else None

    async def page(self, *, locale: str = "en-US", width: int = 1366, height: int = 900) -> Page:
        context = await self.browser.new_context(
            base_url=self.base_url,
            locale=locale,
            accept_downloads=True,
            viewport={"width": width, "height": height},
        )
        context.set_default_timeout(20_000)
        self.contexts.append(context)
        return await context.new_page()

    async def snap(self, page: Page, name: str) -> None:
        if self.shots is None:
            return
        self.shots.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@pytest.fixture
async def portal(browser: Browser, stack: dict[str, Any]) -> AsyncIterator[Portal]:
    opened = Portal(browser, stack["gateway"]["url"])
    yield opened
    await opened.close()
