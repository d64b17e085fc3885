"""In a real Chromium: a cross-site page cannot frame the portal, and the API docs run under
the portal's Content-Security-Policy with nothing refused."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.async_api import Browser, ConsoleMessage

ATTACKER_HOST = "127.0.0.3"  # another site than the gateway's 127.0.0.1


@pytest.fixture(scope="module")
def attacker_site(stack: dict[str, Any]) -> Iterator[str]:
    """A page on another site that tries to show the portal in an invisible frame."""
    page = f'<!doctype html><title>Win a prize</title><iframe id="victim" src="{stack["gateway"]["url"]}/licenses"></iframe>'
    body = page.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((ATTACKER_HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{ATTACKER_HOST}:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


async def test_a_cross_site_page_cannot_frame_the_portal(
    browser: Browser, attacker_site: str, stack: dict[str, Any]
) -> None:
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(attacker_site, wait_until="load")
        frame = await (await page.wait_for_selector("#victim", state="attached")).content_frame()
        assert frame is not None
        # Chromium replaces a refused frame with its error page: the portal never runs in it.
        assert not frame.url.startswith(stack["gateway"]["url"]), frame.url
        assert await frame.locator("#app").count() == 0
    finally:
        await context.close()


@pytest.mark.parametrize("service", ["identity", "licensing", "downloads", "cases", "notifier"])
async def test_api_docs_run_from_our_origin_with_nothing_refused(
    browser: Browser, stack: dict[str, Any], service: str
) -> None:
    gateway = stack["gateway"]["url"]
    context = await browser.new_context()
    refused: list[str] = []
    elsewhere: list[str] = []
    try:
        page = await context.new_page()

        def on_console(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text or "Refused to" in message.text:
                refused.append(message.text)

        page.on("console", on_console)
        page.on(
            "request", lambda r: None if r.url.startswith((gateway, "data:")) else elsewhere.append(r.url)
        )
        await page.goto(f"{gateway}/api/{service}/docs", wait_until="load")
        await page.locator(".opblock").first.wait_for(timeout=20_000)  # operations rendered
        assert await page.locator(".opblock").count() > 1
    finally:
        await context.close()
    assert refused == [] and elsewhere == []
