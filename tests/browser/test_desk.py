"""The support desk in a real Chromium: the whole case loop between a customer and an engineer.

The customer opens a case → the engineer finds it in the queue, takes it, replies and adds an
internal note → the customer follows the link in the case mail, sees the reply but never the
note, and answers → the engineer sees the answer in the workspace.
"""

import asyncio
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Page, expect

from shared import clock
from tests.browser.conftest import Portal, catalog
from tests.browser.test_portal import PASSWORD, access_token, create_user, issue_license
from tests.kit import Mailpit, eventually, unique_email

EN = catalog("en")
LOG = b"2026-12-06 10:42:01 ERROR engine timeout after 30000 ms\n" * 50


async def sign_in_to(page: Page, email: str, landing: str) -> None:
    await page.goto("/signin")
    await page.get_by_label(EN["field.email"], exact=True).fill(email)
    await page.get_by_label(EN["field.password"], exact=True).fill(PASSWORD)
    await page.get_by_role("button", name=EN["action.sign_in"], exact=True).click()
    await expect(page).to_have_url(re.compile(f"{re.escape(landing)}$"))


async def open_case_in_the_form(page: Page, subject: str) -> str:
    await page.get_by_role("navigation").get_by_role("link", name=EN["menu.cases.open"], exact=True).click()
    await page.get_by_label(EN["cases.field.category"], exact=True).select_option("log_interpretation")
    await page.get_by_label(EN["cases.field.severity"], exact=True).select_option("high")
    # Versions the customer is entitled to are offered; "other" always is.
    await expect(page.locator("#case-versions option[value='other']")).to_have_count(1)
    await page.get_by_label(re.compile("^" + re.escape(EN["cases.field.version"]))).fill("5.2.1")
    await page.get_by_label(re.compile("^" + re.escape(EN["cases.field.env_os"]))).fill("RHEL 9")
    await page.get_by_label(EN["cases.field.subject"], exact=True).fill(subject)
    await page.get_by_label(EN["cases.field.description"], exact=True).fill("engine.log shows timeouts")

    async def opened() -> bool:  # the cases service learns the binding from an event
        if await page.locator("#case-opened").count():
            return True
        await page.locator("#case-submit").click()
        try:
            await expect(page.locator("#case-opened")).to_be_visible(timeout=2_000)
        except AssertionError:
            return False
        return True

    await eventually(opened, timeout=60, interval=0.5, what="the case to open")
    return (await page.locator("#case-opened .case-number").inner_text()).strip()


async def test_customer_and_engineer_close_the_case_loop(
    portal: Portal, stack: dict[str, Any], gateway: httpx.AsyncClient, mailpit: Mailpit
) -> None:
    admin_email, customer_email = unique_email("desk-admin"), unique_email("desk-customer")
    engineer_email = unique_email("desk-engineer")
    await create_user(stack, admin_email, "admin")
    await create_user(stack, customer_email, "customer")
    await create_user(stack, engineer_email, "support")
    admin = {"Authorization": f"Bearer {await access_token(gateway, admin_email)}"}
    customer_api = {"Authorization": f"Bearer {await access_token(gateway, customer_email)}"}
    today = clock.today()
    license = await issue_license(gateway, admin, today - timedelta(days=20), today + timedelta(days=345))

    async def bind() -> bool:
        body = {"serial": license["serial"], "registration_number": license["registration_number"]}
        response = await gateway.post("/api/licensing/me/licenses", headers=customer_api, json=body)
        return response.status_code in (200, 201)

    await eventually(bind, timeout=60, interval=0.5, what="the license to bind")

    customer = await portal.page()
    await sign_in_to(customer, customer_email, "/licenses")
    await expect(customer.get_by_role("link", name=EN["menu.desk.queue"])).to_have_count(0)
    subject = f"Timeouts in the flow engine {license['serial'][-4:]}"
    number = await open_case_in_the_form(customer, subject)
    # The customer attaches the log: straight from the browser to object storage.
    await customer.get_by_role("link", name=EN["cases.view"]).click()
    await customer.get_by_label(re.compile("^" + re.escape(EN["attachments.file"]))).set_input_files(
        files=[{"name": "engine.log", "mimeType": "text/plain", "buffer": LOG}]
    )
    await customer.locator("#attachment-upload").click()
    await expect(customer.locator("#attachment-list")).to_contain_text("engine.log")

    engineer = await portal.page()
    await sign_in_to(engineer, engineer_email, "/desk")  # staff start at the desk
    await (
        engineer.get_by_role("navigation").get_by_role("link", name=EN["menu.desk.queue"], exact=True).click()
    )
    await engineer.get_by_role("link", name=re.compile(f"^{EN['desk.view.unassigned']}")).click()
    row = engineer.locator("#queue-table tr", has_text=number)
    await expect(row).to_contain_text(EN["severity.high"])
    await portal.snap(engineer, "desk-queue")
    await row.get_by_role("link", name=number).click()
    await expect(engineer.get_by_role("heading", level=1)).to_have_text(subject)
    await expect(engineer.locator("#desk-facts")).to_contain_text("RHEL 9")
    await expect(engineer.locator("#desk-facts")).to_contain_text(license["serial"])
    async with engineer.expect_download() as download_info:
        await engineer.locator("#attachment-list a", has_text="engine.log").click()
    download = await download_info.value
    assert download.suggested_filename == "engine.log"
    saved = await asyncio.to_thread(Path(await download.path()).read_bytes)
    assert saved == LOG  # the engineer reads the customer's log

    await engineer.locator("#desk-assign-me").click()
    await expect(engineer.locator("#desk-facts")).to_contain_text(EN["desk.status.in_progress"])
    reply = "Please raise engine.timeout to 60 s and restart."
    note = "Same cron bug as last month, see the other case."
    await engineer.get_by_label(EN["desk.case.reply"], exact=True).fill(note)
    await engineer.locator("#desk-note").click()
    await expect(engineer.locator(".message-note")).to_contain_text(note)
    await expect(engineer.locator(".message-note")).to_contain_text(EN["desk.case.note"])
    # A canned out-of-scope answer lands in the reply box, in the customer's language, to edit.
    await engineer.get_by_label(re.compile("^" + re.escape(EN["desk.canned.label"]))).select_option(
        "database"
    )
    await expect(engineer.get_by_label(EN["desk.case.reply"], exact=True)).to_have_value(
        re.compile("questions about your database are outside its scope")
    )
    # Installation goes to a local partner: the directory's partners of the region and the case's
    # product are added to the reply box (the customer writes in English: no region guessed).
    partner_name = f"Taipei Integrators {license['serial'][-4:]}"
    body = {"name": partner_name, "region": "TW", "contact": "+886 2 2345 6789", "products": ["OMFLOW"]}
    added = await gateway.post("/api/cases/desk/partners", json=body, headers=admin)
    assert added.status_code == 201, added.text
    await engineer.get_by_label(re.compile("^" + re.escape(EN["desk.partners.region"]))).fill("TW")
    await engineer.locator("#desk-partners").click()
    await expect(engineer.get_by_label(EN["desk.case.reply"], exact=True)).to_have_value(
        re.compile(f"questions about your database(.|\n)*- {re.escape(partner_name)}: \\+886 2 2345 6789")
    )
    await engineer.get_by_label(EN["desk.case.reply"], exact=True).fill(reply)
    await engineer.locator("#desk-reply").click()
    await expect(engineer.locator(".message-staff")).to_contain_text(reply)
    await expect(engineer.locator("#desk-facts")).to_contain_text(EN["desk.status.waiting_on_customer"])
    await portal.snap(engineer, "desk-case")

    # The customer follows the link in the mail that carries the reply.
    found = await mailpit.wait_for(customer_email, subject_contains="has an answer")
    mail = await mailpit.message(found[0]["ID"])
    assert reply in mail["Text"] and note not in mail["Text"] + mail["HTML"]
    link = next(word for word in mail["Text"].split() if "/cases?case=" in word)
    target = urlsplit(link)
    await customer.goto(f"{target.path}?{target.query}")
    await expect(customer.get_by_role("heading", level=1)).to_have_text(subject)
    await expect(customer.get_by_text(reply)).to_be_visible()
    await expect(customer.get_by_text(note)).to_have_count(0)
    await customer.get_by_label(EN["cases.reply.label"], exact=True).fill("Done: no more timeouts.")
    await customer.get_by_role("button", name=EN["cases.reply.send"]).click()
    await expect(customer.get_by_text("Done: no more timeouts.")).to_be_visible()
    await portal.snap(customer, "customer-case")

    await engineer.reload()
    await expect(engineer.locator(".message-customer").last).to_contain_text("Done: no more timeouts.")
    await expect(engineer.locator("#desk-facts")).to_contain_text(EN["desk.status.in_progress"])
