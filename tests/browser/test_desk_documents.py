"""The case workspace links the documentation of the case's product version (Chromium).

Disputes are judged against the documents released for the version the customer gave: the
release tool publishes a guide for that version line and one for another version; the engineer
sees only the first in the workspace, and opens its file from there (the downloads service
grants it to staff, who hold no license).
"""

import asyncio
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import expect

from tests.browser.conftest import Portal, catalog
from tests.browser.desk_kit import answered_case
from tests.browser.test_desk import sign_in_to
from tests.downloads.conftest import ReleaseTool
from tests.kit import eventually

EN = catalog("en")


async def test_workspace_links_the_documents_of_the_case_version(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient, tmp_path: Path
) -> None:
    line = f"8.{uuid.uuid4().int % 100_000}"
    desk = await answered_case(stack, product_version=f"{line}.2")
    guide, other = tmp_path / "admin-guide.pdf", tmp_path / "older-guide.pdf"
    guide.write_bytes(b"%PDF-1.4 admin guide for " + line.encode())
    other.write_bytes(b"%PDF-1.4 a guide of another version")
    tool = ReleaseTool(stack)
    tool.publish(
        "--product",
        "OMFLOW",
        "--version",
        line,
        "--kind",
        "document",
        "--title",
        f"Admin guide {line}",
        guide,
    )
    tool.publish(
        "--product", "OMFLOW", "--version", f"{line}9", "--kind", "document", "--title", "Other guide", other
    )

    async def listed() -> bool:  # downloads learns releases from the event
        response = await gateway.get(
            "/api/downloads/releases",
            params={"product": "OMFLOW", "kind": "document"},
            headers=desk["engineer_headers"],
        )
        assert response.status_code == 200, response.text
        versions = {release["version"] for release in response.json()}
        return {line, f"{line}9"} <= versions

    await eventually(listed, timeout=60, interval=0.5, what="staff to list the published documents")

    page = await portal.page()
    await sign_in_to(page, desk["engineer"], "/desk")
    await page.goto(f"/desk/cases/{desk['case']['id']}")
    documents = page.locator("#desk-documents")
    await expect(documents.get_by_role("heading", level=2)).to_have_text(EN["desk.docs.title"])
    await expect(documents).to_contain_text(f"Admin guide {line}")
    await expect(documents).not_to_contain_text("Other guide")
    await portal.snap(page, "desk-documents")

    async with page.expect_download() as started:
        await documents.get_by_role("link", name="admin-guide.pdf", exact=True).click()
    download = await started.value
    assert download.suggested_filename == "admin-guide.pdf"
    saved = await download.path()
    assert await asyncio.to_thread(Path(saved).read_bytes) == guide.read_bytes()
    assert re.search(r"/desk/cases/", page.url)
