"""Organizations in the portal, in a real Chromium: an admin creates the organization and invites
a colleague by email; the colleague registers from the mail (Mailpit), joins, and uses the
organization's license and download; the case they open is read by the admin. The Organization
page and the join page have no axe violations in the four languages."""

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from shared import clock
from tests.browser.conftest import LOCALES, Portal, catalog
from tests.browser.test_desk_a11y import assert_accessible, choose_language
from tests.browser.test_portal import PASSWORD, access_token, create_user
from tests.downloads.conftest import ReleaseTool
from tests.kit import Mailpit, eventually, unique_email
from tests.licensing.helpers import create_staff, issue_license, lookup
from tests.organizations import membership_applied

EN = catalog("en")
JOIN_LINK = r"https?://\S+?/organization/join\?token=[\w\-]+"


async def sign_in_on(page: Page, email: str, landing: str) -> None:
    """Sign in on the page the portal shows (it returns to `landing` after)."""
    await page.get_by_label(EN["field.email"], exact=True).fill(email)
    await page.get_by_label(EN["field.password"], exact=True).fill(PASSWORD)
    await page.get_by_role("button", name=EN["action.sign_in"], exact=True).click()
    await expect(page).to_have_url(re.compile(landing))


async def create_organization_on(page: Page, name: str) -> None:
    await (
        page.get_by_role("navigation")
        .get_by_role("link", name=EN["menu.profile.organization"], exact=True)
        .click()
    )
    await expect(page.locator("#create-organization-card")).to_be_visible()
    await page.get_by_label(EN["org.field.name"], exact=True).fill(name)
    await page.get_by_label(EN["org.field.country"], exact=True).fill("tw")
    await page.locator("#create-organization").click()
    await expect(page.locator("#members")).to_be_visible()


async def invite_on(page: Page, email: str, locale: str) -> None:
    await page.get_by_label(EN["field.email"], exact=True).fill(email)
    await page.get_by_label(EN["org.invite.locale"], exact=True).select_option(locale)
    await page.locator("#send-invitation").click()
    await expect(page.locator("#invitations")).to_contain_text(email)


async def mailed_link(mailpit: Mailpit, address: str, pattern: str, count: int = 1) -> str:
    for mail in await mailpit.wait_for(address, count=count):
        body = (await mailpit.message(mail["ID"]))["Text"]
        found = re.search(pattern, body)
        if found:
            return found.group(0)
    raise AssertionError(f"no mail to {address} carries {pattern}")


async def test_a_colleague_registers_from_the_invitation_and_shares_everything(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient, mailpit: Mailpit, tmp_path: Path
) -> None:
    staff = await create_staff(stack)
    product, version = "OMCLOUD", f"8.{uuid.uuid4().int % 100_000}.0"
    today = clock.today()
    license = await issue_license(
        gateway, staff, product=product, purchased_on=str(today - timedelta(days=30)),
        warranty_ends=str(today + timedelta(days=335)),
    )  # fmt: skip
    artifact = tmp_path / f"{product.lower()}-{version}.zip"
    artifact.write_bytes(b"shared with the organization " * 256)
    ReleaseTool(stack).publish(
        *("--product", product, "--version", version, "--kind", "update", "--title", f"{product} {version}"),
        *("--published-on", str(today - timedelta(days=2)), artifact),
    )

    admin_email, colleague_email = unique_email("org-admin"), unique_email("org-colleague")
    admin_id = await create_user(stack, admin_email, "customer")
    admin = await portal.page()
    await admin.goto("/signin")
    await sign_in_on(admin, admin_email, r"/licenses$")
    await create_organization_on(admin, "Acme Automation")
    admin_headers = {"Authorization": f"Bearer {await access_token(gateway, admin_email)}"}
    org = (await gateway.get("/api/identity/organizations/mine", headers=admin_headers)).json()[
        "organization"
    ]
    await membership_applied(stack, ("licensing",), uuid.UUID(admin_id), org["id"])
    bound = await gateway.post("/api/licensing/me/licenses", json=lookup(license), headers=admin_headers)
    assert bound.status_code == 201 and bound.json()["organization_id"] == org["id"], bound.text

    await invite_on(admin, colleague_email, "ja")
    await portal.snap(admin, "organization-admin")
    [mail] = await mailpit.wait_for(colleague_email)
    assert "Acme Automation" in mail["Subject"] and "招待" in mail["Subject"], mail["Subject"]
    join_link = await mailed_link(mailpit, colleague_email, JOIN_LINK)

    # A new colleague: the link asks them to sign in; they register with the invited address.
    colleague = await portal.page()
    await colleague.goto(join_link)
    await expect(colleague).to_have_url(re.compile(r"/signin\?next="))
    await colleague.get_by_role("link", name=EN["register"], exact=True).click()
    await colleague.get_by_label(EN["field.name"], exact=True).fill("Kenji Sato")
    await colleague.get_by_label(EN["field.phone"], exact=True).fill("0912 345 678")
    await colleague.get_by_label(EN["field.email"], exact=True).fill(colleague_email)
    await colleague.get_by_label(EN["field.password"], exact=True).fill(PASSWORD)
    await colleague.get_by_label(EN["field.password_confirm"], exact=True).fill(PASSWORD)
    await colleague.get_by_role("button", name=EN["action.create_account"]).click()
    await expect(colleague).to_have_url(re.compile(r"/register/sent"))
    await colleague.goto(
        await mailed_link(mailpit, colleague_email, r"https?://\S+?/verify\?token=[\w\-]+", 2)
    )
    await expect(colleague.locator("#verify-result")).to_have_attribute("data-state", "verified")
    await colleague.goto(join_link)
    await sign_in_on(colleague, colleague_email, r"/organization/join\?token=")
    await expect(colleague.locator("#join-form")).to_contain_text("Acme Automation")
    await portal.snap(colleague, "organization-join")
    await colleague.locator("#accept-invitation").click()
    await expect(colleague).to_have_url(re.compile(r"/organization$"))
    await expect(colleague.locator("#members")).to_contain_text(admin_email)
    await expect(colleague.locator("#members")).to_contain_text(colleague_email)

    # The organization's license and its download, bound by the admin, are the colleague's too.
    nav = colleague.get_by_role("navigation")
    await nav.get_by_role("link", name=EN["menu.profile.licenses"], exact=True).click()
    row = colleague.locator("#license-table tr", has_text=license["serial"])
    await expect(row).to_contain_text(EN["licenses.bound_by"].replace("{name}", "Portal Tester"))

    async def release_listed() -> bool:
        await colleague.goto("/downloads/updates")
        await expect(colleague.locator("main .loading")).to_have_count(0)
        return await colleague.get_by_text(f"{product} {version}").count() > 0

    await eventually(
        release_listed, timeout=60, interval=1, what="the organization's release for the colleague"
    )

    # A case the colleague opens on it is the admin's to read.
    await nav.get_by_role("link", name=EN["menu.cases.open"], exact=True).click()
    await colleague.get_by_role("radio", name=re.compile(re.escape(license["serial"]))).check()
    await colleague.get_by_label(EN["cases.field.category"], exact=True).select_option("bug")
    await colleague.get_by_label(EN["cases.field.subject"], exact=True).fill("Nightly flow stopped")
    await colleague.get_by_label(EN["cases.field.description"], exact=True).fill("Since the update it hangs.")

    async def opened() -> bool:
        if await colleague.locator("#case-opened").count():
            return True
        await colleague.locator("#case-submit").click()
        try:
            await expect(colleague.locator("#case-opened")).to_be_visible(timeout=2_000)
        except AssertionError:
            return False
        return True

    await eventually(opened, timeout=60, interval=0.5, what="the case to open")
    number = (await colleague.locator("#case-opened .case-number").inner_text()).strip()
    await admin.goto("/cases")
    await expect(admin.locator("#case-table")).to_contain_text(number)
    await admin.locator("#case-table a", has_text=number).click()
    await expect(admin.locator("#case-opened-by")).to_have_text(
        EN["cases.opened_by"].replace("{name}", "Kenji Sato")
    )
    await portal.snap(admin, "organization-case-for-admin")


@pytest.fixture(scope="module")
async def organization_pages(
    stack: dict[str, Any], gateway: httpx.AsyncClient, mailpit: Mailpit
) -> dict[str, str]:
    """An admin with a pending invitation (and its join link), and a customer with no organization."""
    admin_email, loner_email, invited = (
        unique_email("a11y-org"),
        unique_email("a11y-loner"),
        unique_email("a11y-inv"),
    )
    await create_user(stack, admin_email, "customer")
    await create_user(stack, loner_email, "customer")
    headers = {"Authorization": f"Bearer {await access_token(gateway, admin_email)}"}
    created = await gateway.post(
        "/api/identity/organizations", json={"name": "A11y Co", "country": "JP"}, headers=headers
    )
    assert created.status_code == 201, created.text
    invitation = await gateway.post(
        f"/api/identity/organizations/{created.json()['id']}/invitations",
        json={"email": invited},
        headers=headers,
    )
    assert invitation.status_code == 201, invitation.text
    link = await mailed_link(mailpit, invited, JOIN_LINK)
    return {"admin": admin_email, "loner": loner_email, "join": link.split("/organization/join", 1)[1]}


@pytest.mark.parametrize("locale", LOCALES)
async def test_organization_pages_have_no_axe_violations(
    portal: Portal, organization_pages: dict[str, str], locale: str
) -> None:
    admin = await portal.page()
    await admin.goto("/signin")
    await sign_in_on(admin, organization_pages["admin"], r"/licenses$")
    await choose_language(admin, locale)
    await assert_accessible(
        admin,
        [
            ("/organization", "#invitations"),
            (f"/organization/join{organization_pages['join']}", "#join-form"),
        ],
    )
    loner = await portal.page()
    await loner.goto("/signin")
    await sign_in_on(loner, organization_pages["loner"], r"/licenses$")
    await choose_language(loner, locale)
    await assert_accessible(loner, [("/organization", "#create-organization-card")])
