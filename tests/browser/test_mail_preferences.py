"""Mail preferences, the renewal banner, a release mail's deep link and one-click unsubscribe,
in a real Chromium on the real stack (identity, licensing, downloads, notifier, Mailpit).

The customer binds a license whose coverage ends in 20 days (banner on Product Licenses), turns
update mails off on the preferences page, receives the document release the release tool
publishes, opens it from the mail (Update Download, Documents tab, that release), and follows
the mail's unsubscribe link in a browser that is not signed in.
"""

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import expect

from shared import clock
from tests.browser.conftest import Portal, catalog
from tests.browser.test_portal import PASSWORD, access_token, create_user, issue_license, sign_in
from tests.downloads.conftest import ReleaseTool
from tests.kit import Mailpit, eventually, unique_email

EN = catalog("en")


async def test_set_a_preference_then_unsubscribe_from_a_release_mail(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient, mailpit: Mailpit, tmp_path: Path
) -> None:
    admin_email, customer_email = unique_email("prefs-admin"), unique_email("prefs")
    await create_user(stack, admin_email, "admin")
    await create_user(stack, customer_email, "customer")
    admin = {"Authorization": f"Bearer {await access_token(gateway, admin_email)}"}
    customer = {"Authorization": f"Bearer {await access_token(gateway, customer_email)}"}
    today = clock.today()
    ending = await issue_license(gateway, admin, today - timedelta(days=345), today + timedelta(days=20))

    async def bound() -> bool:
        body = {"serial": ending["serial"], "registration_number": ending["registration_number"]}
        response = await gateway.post("/api/licensing/me/licenses", headers=customer, json=body)
        return response.status_code in (200, 201)

    await eventually(bound, timeout=60, interval=0.5, what="the license to bind")

    async def notifier_knows() -> bool:
        found = await gateway.get("/api/notifier/me/coverage-ending", headers=customer)
        return any(item["serial"] == ending["serial"] for item in found.json()["items"])

    await eventually(notifier_knows, timeout=60, what="the notifier to project the license")

    page = await portal.page()
    await page.goto("/signin")
    await sign_in(page, customer_email, PASSWORD)
    banner = page.locator("#renewal-banner")
    await expect(banner).to_contain_text(EN["renewal.banner.title"])
    await expect(banner.locator(f'li[data-serial="{ending["serial"]}"]')).to_contain_text("20")
    await portal.snap(page, "renewal-banner")
    await (
        page.get_by_role("navigation")
        .get_by_role("link", name=EN["menu.profile.contracts"], exact=True)
        .click()
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text(EN["menu.profile.contracts"])
    await expect(page.locator("#renewal-banner")).to_contain_text(ending["serial"])

    # Preferences: from the account page; case mails are explained, not switchable.
    await page.goto("/account")
    await page.locator("#mail-preferences-link").click()
    await expect(page).to_have_url(re.compile(r"/preferences$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(EN["prefs.title"])
    await expect(page.locator("#prefs-cases")).to_have_text(EN["prefs.cases"])
    updates = page.get_by_label(EN["prefs.release_update"], exact=True)
    await expect(updates).to_be_checked()
    await updates.uncheck()
    await page.locator("#save-preferences").click()
    await expect(page.locator("#mail-preferences .notice-success")).to_contain_text(EN["prefs.saved"])
    await page.reload()
    await expect(page.get_by_label(EN["prefs.release_update"], exact=True)).not_to_be_checked()
    await expect(page.get_by_label(EN["prefs.release_document"], exact=True)).to_be_checked()
    await portal.snap(page, "mail-preferences")

    # The release tool publishes a document; the mail opens it on Update Download / Documents.
    version = f"doc-{uuid.uuid4().hex[:8]}"
    manual = tmp_path / "manual.pdf"
    manual.write_bytes(b"%PDF-1.4 admin guide")
    ReleaseTool(stack).publish(
        "--product", "OMFLOW", "--version", version, "--kind", "document", "--title", "Admin guide", manual
    )
    mails = await mailpit.wait_for(customer_email, subject_contains=version, timeout=60)
    text = (await mailpit.message(mails[0]["ID"]))["Text"]
    release_link = re.search(r"https?://\S+/downloads/updates\?release=[\w-]+&tab=documents", text)
    unsubscribe_link = re.search(r"https?://\S+/unsubscribe\?token=[\w.%-]+", text)
    assert release_link and unsubscribe_link, text

    await page.goto(release_link.group(0))
    await expect(page.get_by_role("tab", name=EN["downloads.tab.documents"])).to_have_attribute(
        "aria-selected", "true"
    )
    target = page.locator(".release.is-target")
    await expect(target).to_contain_text("Admin guide")
    await portal.snap(page, "release-deep-link")

    # The mail's unsubscribe link, in a browser that is not signed in.
    outsider = await portal.page()
    await outsider.goto(unsubscribe_link.group(0))
    await expect(
        outsider.get_by_text(EN["unsubscribe.confirm"].format(topic=EN["unsubscribe.topic.release.document"]))
    ).to_be_visible()
    await outsider.locator("#confirm-unsubscribe").click()
    await expect(outsider.locator("#unsubscribe-result")).to_contain_text(EN["unsubscribe.done.title"])
    await portal.snap(outsider, "unsubscribed")
    # Opening it again says so, and changes nothing more.
    await outsider.reload()
    await expect(outsider.locator("#unsubscribe-result")).to_be_visible()

    await page.goto("/preferences")
    await expect(page.get_by_label(EN["prefs.release_document"], exact=True)).not_to_be_checked()
    await expect(page.get_by_label(EN["prefs.release_product"], exact=True)).to_be_checked()
