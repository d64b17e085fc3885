"""Case mails, from the events the cases service really publishes.

Nothing here hand-builds a case event: the customer and the engineer work on a case through the
gateway, the cases service publishes what it publishes, and the mails must say what was written.
"""

import uuid
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.sweeper import announce_breaches
from services.notifier.config import Settings as NotifierSettings
from shared import clock
from tests.accounts import Accounts, PortalUser
from tests.conftest import database_url
from tests.events import EventPublisher
from tests.kit import Mailpit, eventually
from tests.notifier.conftest import NotifierDb
from tests.notifier.mails import only_mail_to, read_mail

TEAM = NotifierSettings().support_team_email


async def _customer_in_taiwan(
    gateway: httpx.AsyncClient, accounts: Accounts, notifier_db: NotifierDb
) -> PortalUser:
    customer = await accounts.user()
    changed = await gateway.patch(
        "/api/identity/me", json={"name": "林美華", "locale": "zh-TW"}, headers=customer.headers
    )
    assert changed.status_code == 200, changed.text

    async def projected() -> bool:
        row = await notifier_db.recipient(customer.user_id)
        return bool(row and row["locale"] == "zh-TW")

    await eventually(projected, what="the customer's language reached the notifier")
    return customer


async def _open_case(
    gateway: httpx.AsyncClient, customer: PortalUser, license_id: uuid.UUID
) -> dict[str, Any]:
    async def opened() -> dict[str, Any] | None:
        response = await gateway.post(
            "/api/cases/cases",
            json={
                "license_id": str(license_id),
                "category": "log_interpretation",
                "severity": "high",
                "subject": "Flow engine log shows timeouts",
                "description": "engine.log attached",
            },
            headers=customer.headers,
        )
        return response.json() if response.status_code == 201 else None  # until the license is projected

    return await eventually(opened, what="a case opened on the new license")


async def _pass_due_time_and_sweep(stack: dict[str, Any], case_id: str) -> None:
    """Move the case's due time into the past, then run the cases service's own breach sweep."""
    url = database_url(stack, "cases")
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "UPDATE cases SET sla_due_at = now() - interval '1 minute' WHERE id = $1", case_id
        )
    finally:
        await connection.close()
    engine = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://"))
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            await announce_breaches(session, clock.now())
            await session.commit()
    finally:
        await engine.dispose()


async def test_the_case_loop_mails_team_customer_and_engineer(
    stack: dict[str, Any],
    gateway: httpx.AsyncClient,
    accounts: Accounts,
    events: EventPublisher,
    notifier_db: NotifierDb,
    mailpit: Mailpit,
) -> None:
    customer = await _customer_in_taiwan(gateway, accounts, notifier_db)
    engineer = await accounts.user("support", name="Eric Engineer")
    bound = await events.bind_license(customer.user_id, "OMFLOW", date(2025, 1, 1), date(2035, 12, 31))
    case = await _open_case(gateway, customer, uuid.UUID(bound.subject))
    number = case["number"]

    opened = await only_mail_to(mailpit, customer.email, subject_contains=number)
    assert opened.subject == f"我們已收到您的案件 {number}"
    assert "Flow engine log shows timeouts" in opened.text and opened.text.startswith("林美華 您好：")

    team = await only_mail_to(mailpit, TEAM, subject_contains=number)
    assert team.subject == f"New case {number} [High] Flow engine log shows timeouts"
    assert f"/desk/cases/{case['id']}" in team.text

    path = f"/api/cases/cases/{case['id']}"
    note = await gateway.post(
        f"{path}/messages", json={"body": "NOTE: cron bug again?", "internal": True}, headers=engineer.headers
    )
    assert note.status_code == 201
    reply_text = "Raise <engine.timeout> to 60 s & restart."
    reply = await gateway.post(f"{path}/messages", json={"body": reply_text}, headers=engineer.headers)
    assert reply.status_code == 201

    answered = await only_mail_to(mailpit, customer.email, subject_contains="已有回覆")
    assert answered.subject == f"您的案件 {number} 已有回覆"
    assert reply_text in answered.text and "NOTE:" not in answered.text + answered.html
    assert "Raise &lt;engine.timeout&gt; to 60 s &amp; restart." in answered.html
    assert "<engine.timeout>" not in answered.html
    link = next(word for word in answered.text.split() if "/cases?case=" in word)
    assert urlsplit(link).path == "/cases" and urlsplit(link).query == f"case={case['id']}"

    # The engineer took the case by answering it: the customer's reply is mailed to them.
    back = await gateway.post(
        f"{path}/messages", json={"body": "Done, it works now"}, headers=customer.headers
    )
    assert back.status_code == 201
    to_engineer = await only_mail_to(mailpit, engineer.email, subject_contains=number)
    assert to_engineer.subject == f"The customer replied on case {number}"
    assert "Done, it works now" in to_engineer.text and f"/desk/cases/{case['id']}" in to_engineer.text

    # The resolution due time passes: the engineer who has the case is told.
    await _pass_due_time_and_sweep(stack, case["id"])
    breached = await only_mail_to(mailpit, engineer.email, subject_contains="SLA breached")
    assert breached.subject == f"SLA breached on case {number}"
    assert f"Case {number} was not resolved by" in breached.text and "Severity: High" in breached.text

    customer_mails = [await read_mail(mailpit, m) for m in await mailpit.messages_to(customer.email)]
    assert sorted(m.subject for m in customer_mails if number in m.subject) == sorted(
        [opened.subject, answered.subject]
    )  # the customer's own reply mails nobody but the engineer
