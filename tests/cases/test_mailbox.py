"""The support mailbox on the real stack: mail sent with aiosmtplib to the receiver becomes cases
and case messages, strangers get one auto-reply through the notifier (read back from Mailpit),
loops are never answered, and duplicates, crashes, malformed and oversize mail are handled."""

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import asyncpg
import httpx
import pytest
from minio import Minio

from shared.config import DEV_SECRET
from shared.mail_threading import case_of_token, token_of_address
from tests.accounts import Accounts, PortalUser
from tests.cases.conftest import unique_product
from tests.cases.mailbox_kit import COVERED, LAPSED, SENDER_DOMAIN, Mailbox, customer, new_mail
from tests.conftest import database_url
from tests.events import EventPublisher, organization_member_added, user_verified
from tests.kit import Mailpit, eventually, unique_email

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
TRACE = bytes(range(256)) * 1600  # 400 KiB: big enough to be parsed off the event loop


@pytest.fixture(scope="module")
async def cases_db(stack: dict[str, Any]) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url(stack, "cases"))
    yield connection
    await connection.close()


@pytest.fixture(scope="module")
def mailbox(stack: dict[str, Any], cases_db: asyncpg.Connection) -> Mailbox:
    info = stack["mailbox"]
    return Mailbox(info["smtp_host"], info["smtp_port"], info["support_address"], cases_db)


@dataclass
class MailedCase:
    user: PortalUser
    license_id: uuid.UUID
    case_id: uuid.UUID
    number: str
    case_mail_headers: dict[str, list[str]]


async def _headers(mailpit: Mailpit, message_id: str) -> dict[str, list[str]]:
    response = await mailpit.client.get(f"/api/v1/message/{message_id}/headers")
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="module")
async def mailed_case(
    stack: dict[str, Any], accounts: Accounts, events: EventPublisher, mailbox: Mailbox, mailpit: Mailpit
) -> MailedCase:
    product = unique_product()
    user, licenses = await customer(stack, accounts, events, mailbox.db, {product: COVERED})
    mail = new_mail(
        f"Mail Customer <{user.email}>",
        "Scheduler stops after upgrade",
        "After 5.2.1 the nightly flow no longer starts.\n\n-- \nMail Customer\nACME Corp",
        attachments=(
            ("flow log.txt", "text/plain", b"ERROR scheduler: no trigger\n"),
            ("shot.png", "image/png", PNG),
            ("trace.bin", "application/octet-stream", TRACE),
        ),
    )
    assert (await mailbox.send(mail)).startswith("2.0.0")
    row = await mailbox.settled(mail["Message-ID"])
    assert (row["status"], row["outcome"]) == ("applied", "case_opened"), row
    case = await mailbox.case(row["case_id"])
    [case_mail] = await mailpit.wait_for(user.email, subject_contains=case["number"])
    return MailedCase(
        user, licenses[product], row["case_id"], case["number"], await _headers(mailpit, case_mail["ID"])
    )


async def test_a_covered_customer_mails_in_a_case_with_attachments(
    stack: dict[str, Any], mailbox: Mailbox, mailed_case: MailedCase
) -> None:
    case = await mailbox.case(mailed_case.case_id)
    assert case["account_id"] == mailed_case.user.user_id and case["license_id"] == mailed_case.license_id
    assert case["subject"] == "Scheduler stops after upgrade" and case["status"] == "new"
    assert case["description"] == "After 5.2.1 the nightly flow no longer starts."  # signature trimmed
    files = await mailbox.db.fetch(
        "SELECT * FROM case_attachments WHERE case_id = $1 ORDER BY filename", mailed_case.case_id
    )
    assert [(f["filename"], f["content_type"], f["size"]) for f in files] == [
        ("flow log.txt", "text/plain", 28),
        ("shot.png", "image/png", len(PNG)),
        ("trace.bin", "application/octet-stream", len(TRACE)),
    ]
    store = stack["minio"]
    client = Minio(
        store["endpoint"], access_key=store["access_key"], secret_key=store["secret_key"], secure=False
    )
    for row, content in zip(files[1:], (PNG, TRACE), strict=True):
        stored = client.get_object(store["bucket"], row["object_key"])
        try:
            assert stored.read() == content
        finally:
            stored.close()
    assert files[1]["object_key"].startswith(f"case-attachments/{mailed_case.case_id}/")
    # Desk attachments like any upload: by the customer, checked, with the mailed bytes' hash.
    assert all(f["uploader_id"] == mailed_case.user.user_id and not f["by_staff"] for f in files)
    assert all(f["completed_at"] is not None for f in files)
    assert files[2]["sha256"] == hashlib.sha256(TRACE).hexdigest()


async def test_case_mails_carry_a_signed_reply_address_and_thread_ids(mailed_case: MailedCase) -> None:
    headers = mailed_case.case_mail_headers
    reply_to = headers["Reply-To"][0]
    token = token_of_address(reply_to, "support@example.com")
    assert token and case_of_token(token, DEV_SECRET) == mailed_case.case_id
    assert f".case-{token}@" in headers["Message-Id"][0]
    assert f"<case-{token}@example.com>" in headers["References"][0]


async def test_a_reply_to_the_plus_address_joins_the_case_without_quoted_history(
    mailbox: Mailbox, mailed_case: MailedCase
) -> None:
    reply_to = mailed_case.case_mail_headers["Reply-To"][0]
    answer = new_mail(
        mailed_case.user.email,
        f"Re: We received your case {mailed_case.number}",
        "Restarting the scheduler did not help.\n\n"
        "On Mon, 1 Dec 2026 at 10:00, Support Portal <support@example.com> wrote:\n> We received your case\n",
        to=reply_to,
    )
    await mailbox.send(answer, recipients=[reply_to])
    row = await mailbox.settled(answer["Message-ID"])
    assert (row["outcome"], row["case_id"]) == ("case_message", mailed_case.case_id)
    message = await mailbox.db.fetchrow("SELECT * FROM case_messages WHERE id = $1", row["case_message_id"])
    assert message["body"] == "Restarting the scheduler did not help."
    assert (
        message["author_id"] == mailed_case.user.user_id
        and not message["by_staff"]
        and not message["internal"]
    )


async def test_a_reply_found_by_in_reply_to_joins_the_case_as_safe_text(
    mailbox: Mailbox, mailed_case: MailedCase
) -> None:
    case_mail_id = mailed_case.case_mail_headers["Message-Id"][0]
    answer = EmailMessage()
    answer["From"] = mailed_case.user.email
    answer["To"] = "support@example.com"  # the client answered the From address, not Reply-To
    answer["Subject"] = f"Re: case {mailed_case.number}"
    answer["Message-ID"] = f"<{uuid.uuid4().hex}@{SENDER_DOMAIN}>"
    answer["In-Reply-To"] = case_mail_id
    answer.set_content(
        "<p>The log says <b>no trigger</b>.<script>alert(1)</script></p>"
        "<div class='gmail_quote'>On Mon … wrote:<blockquote>old</blockquote></div>",
        subtype="html",
    )
    await mailbox.send(answer)
    row = await mailbox.settled(answer["Message-ID"])
    assert (row["outcome"], row["case_id"]) == ("case_message", mailed_case.case_id)
    body = await mailbox.db.fetchval("SELECT body FROM case_messages WHERE id = $1", row["case_message_id"])
    assert body == "The log says no trigger."


async def test_a_redelivered_mail_makes_one_case(
    stack: dict[str, Any], accounts: Accounts, events: EventPublisher, mailbox: Mailbox
) -> None:
    user, licenses = await customer(stack, accounts, events, mailbox.db, {unique_product(): COVERED})
    mail = new_mail(user.email, "Export fails", "The export to PDF fails.")
    for _ in range(3):  # an MTA that did not see our 250 delivers again
        assert (await mailbox.send(mail)).startswith("2.0.0")
    row = await mailbox.settled(mail["Message-ID"])
    assert row["outcome"] == "case_opened"
    [license_id] = licenses.values()
    count = await mailbox.db.fetchval("SELECT count(*) FROM cases WHERE license_id = $1", license_id)
    stored = await mailbox.db.fetchval(
        "SELECT count(*) FROM inbound_mail WHERE message_id = $1", mail["Message-ID"]
    )
    assert (count, stored) == (1, 1)


async def test_a_crash_midway_rolls_back_and_applies_once(
    stack: dict[str, Any], stack_control: Any, accounts: Accounts, events: EventPublisher, mailbox: Mailbox
) -> None:
    user, licenses = await customer(stack, accounts, events, mailbox.db, {unique_product(): COVERED})
    [license_id] = licenses.values()
    mail = new_mail(user.email, "Crash test", "With a file.", attachments=(("a.txt", "text/plain", b"abc"),))
    stack_control.stop("minio")  # the case is written, then storing the attachment fails
    try:
        await mailbox.send(mail)

        async def failed_once() -> bool:
            row = await mailbox.db.fetchrow(
                "SELECT * FROM inbound_mail WHERE message_id = $1", mail["Message-ID"]
            )
            return row is not None and row["attempts"] >= 1 and row["status"] == "pending"

        await eventually(failed_once, timeout=60, what="a failed attempt while the object store is down")
        assert await mailbox.db.fetchval("SELECT count(*) FROM cases WHERE license_id = $1", license_id) == 0
    finally:
        stack_control.start("minio")
    row = await mailbox.settled(mail["Message-ID"], timeout=90)
    assert row["outcome"] == "case_opened"
    assert await mailbox.db.fetchval("SELECT count(*) FROM cases WHERE license_id = $1", license_id) == 1
    files = await mailbox.db.fetchval(
        "SELECT count(*) FROM case_attachments WHERE case_id = $1", row["case_id"]
    )
    assert files == 1


async def test_an_unknown_sender_gets_one_auto_reply_in_the_mails_language(
    mailbox: Mailbox, mailpit: Mailpit
) -> None:
    stranger = unique_email("stranger").replace("@example.com", f"@{SENDER_DOMAIN}")
    first = new_mail(stranger, "ライセンスについて", "質問があります。", Content_Language="ja")
    await mailbox.send(first)
    row = await mailbox.settled(first["Message-ID"])
    assert (row["status"], row["outcome"]) == ("ignored", "unknown_sender")
    [reply] = await mailpit.wait_for(stranger)
    headers = await _headers(mailpit, reply["ID"])
    assert headers["Auto-Submitted"] == ["auto-replied"]
    assert headers["In-Reply-To"] == [first["Message-ID"]]
    assert reply["Subject"] == "Re: ライセンスについて"
    text = (await mailpit.message(reply["ID"]))["Text"]
    assert "認証済みのサポートポータルアカウントがない" in text and "/register" in text

    second = new_mail(stranger, "もう一度", "再送します。", Content_Language="ja")
    await mailbox.send(second)
    again = await mailbox.settled(second["Message-ID"])
    assert again["outcome"] == "unknown_sender_quiet" and await mailbox.auto_replies_for(again["id"]) == 0


async def test_a_lapsed_customer_is_told_to_renew_in_their_language(
    stack: dict[str, Any], accounts: Accounts, events: EventPublisher, mailbox: Mailbox, mailpit: Mailpit
) -> None:
    user, _ = await customer(stack, accounts, events, mailbox.db, {unique_product(): LAPSED}, locale="zh-TW")
    mail = new_mail(user.email, "Need help", "The scheduler stops.")
    await mailbox.send(mail)
    row = await mailbox.settled(mail["Message-ID"])
    assert row["outcome"] == "no_coverage"
    [reply] = await mailpit.wait_for(user.email, subject_contains="Re: Need help")
    text = (await mailpit.message(reply["ID"]))["Text"]
    assert "續約維護合約" in text and "/licenses" in text


async def test_several_covered_products_are_asked_about_then_the_subject_decides(
    stack: dict[str, Any], accounts: Accounts, events: EventPublisher, mailbox: Mailbox, mailpit: Mailpit
) -> None:
    flow, bot = unique_product(), unique_product()
    user, licenses = await customer(stack, accounts, events, mailbox.db, {flow: COVERED, bot: COVERED})
    vague = new_mail(user.email, "It crashes", "Something crashes.")
    await mailbox.send(vague)
    assert (await mailbox.settled(vague["Message-ID"]))["outcome"] == "choose_product"
    [reply] = await mailpit.wait_for(user.email, subject_contains="Re: It crashes")
    text = (await mailpit.message(reply["ID"]))["Text"]
    assert flow in text and bot in text

    precise = new_mail(user.email, f"{bot} crashes on start", "Something crashes.")
    await mailbox.send(precise)
    row = await mailbox.settled(precise["Message-ID"])
    assert row["outcome"] == "case_opened"
    assert (await mailbox.case(row["case_id"]))["license_id"] == licenses[bot]


@pytest.mark.parametrize(
    ("headers", "envelope_from", "outcome"),
    [
        ({"Auto_Submitted": "auto-replied"}, None, "auto_submitted"),
        ({"Precedence": "bulk"}, None, "bulk"),
        ({"Precedence": "list"}, None, "bulk"),
        ({"List_Id": "<users.lists.customer.test>"}, None, "mailing_list"),
        ({}, "", "bounce"),
        ({"From": f"MAILER-DAEMON@{SENDER_DOMAIN}"}, f"bounce@{SENDER_DOMAIN}", "bounce"),
    ],
)
async def test_loops_bounces_and_lists_are_never_answered(
    mailbox: Mailbox, headers: dict[str, str], envelope_from: str | None, outcome: str
) -> None:
    sender = headers.pop("From", unique_email("robot").replace("@example.com", f"@{SENDER_DOMAIN}"))
    mail = new_mail(sender, "Out of office", "I am away.", **headers)
    await mailbox.send(mail, sender=envelope_from)
    row = await mailbox.settled(mail["Message-ID"])
    assert (row["status"], row["outcome"]) == ("ignored", outcome)
    assert await mailbox.auto_replies_for(row["id"]) == 0


async def test_our_own_mail_coming_back_is_never_answered(mailbox: Mailbox, mailed_case: MailedCase) -> None:
    """A case mail bounced back or forwarded to the support address keeps our Message-ID."""
    echo = new_mail(unique_email("fwd").replace("@example.com", f"@{SENDER_DOMAIN}"), "Fwd", "Our own mail.")
    echo.replace_header("Message-ID", mailed_case.case_mail_headers["Message-Id"][0])
    await mailbox.send(echo)
    row = await mailbox.settled(echo["Message-ID"])
    assert (row["status"], row["outcome"]) == ("ignored", "our_own_mail")
    assert await mailbox.auto_replies_for(row["id"]) == 0


async def test_malformed_mail_is_refused_with_a_clear_code(mailbox: Mailbox) -> None:
    message_id = f"<{uuid.uuid4().hex}@{SENDER_DOMAIN}>"
    broken = (
        f"From: someone@{SENDER_DOMAIN}\r\nTo: support@example.com\r\nSubject: broken\r\n"
        f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="never-used"\r\n\r\nno parts here\r\n'
    ).encode()
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await mailbox.send(broken, sender=f"someone@{SENDER_DOMAIN}")
    assert refused.value.code == 550 and "5.6.0" in refused.value.message
    nameless = b"To: support@example.com\r\nSubject: from nobody\r\n\r\nbody\r\n"
    with pytest.raises(aiosmtplib.SMTPDataError) as no_sender:
        await mailbox.send(nameless, sender=f"someone@{SENDER_DOMAIN}")
    assert no_sender.value.code == 550 and "5.1.7" in no_sender.value.message
    assert (
        await mailbox.db.fetchval("SELECT count(*) FROM inbound_mail WHERE message_id = $1", message_id) == 0
    )
    # The receiver is still there for the next mail.
    assert (await mailbox.send(new_mail(f"someone@{SENDER_DOMAIN}", "ok", "ok"))).startswith("2.0.0")


async def test_oversize_mail_is_refused_with_552(mailbox: Mailbox) -> None:
    mail = new_mail(
        f"big@{SENDER_DOMAIN}",
        "huge",
        "see file",
        attachments=(("big.bin", "application/octet-stream", b"x" * (26 << 20)),),
    )
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await mailbox.send(mail)
    assert refused.value.code == 552
    assert (
        await mailbox.db.fetchval(
            "SELECT count(*) FROM inbound_mail WHERE message_id = $1", mail["Message-ID"]
        )
        == 0
    )


async def test_other_recipients_are_refused(mailbox: Mailbox) -> None:
    mail = new_mail(f"someone@{SENDER_DOMAIN}", "relay?", "please relay")
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await mailbox.send(mail, recipients=["someone-else@example.org"])
    [error] = refused.value.recipients
    assert error.code == 550 and re.search(r"5\.1\.1", error.message)


async def test_an_answer_to_a_closed_case_is_not_added_and_the_customer_is_told(
    stack: dict[str, Any],
    accounts: Accounts,
    events: EventPublisher,
    mailbox: Mailbox,
    mailpit: Mailpit,
    gateway: httpx.AsyncClient,
) -> None:
    user, _ = await customer(stack, accounts, events, mailbox.db, {unique_product(): COVERED})
    first = new_mail(user.email, "Report export", "The export is empty.")
    await mailbox.send(first)
    case_id = (await mailbox.settled(first["Message-ID"]))["case_id"]
    number = (await mailbox.case(case_id))["number"]
    [case_mail] = await mailpit.wait_for(user.email, subject_contains=number)
    reply_to = (await _headers(mailpit, case_mail["ID"]))["Reply-To"][0]
    closed = await gateway.post(
        f"/api/cases/cases/{case_id}/status", json={"status": "closed"}, headers=user.headers
    )
    assert closed.status_code == 200, closed.text

    late = new_mail(user.email, f"Re: {number}", "One more thing.", to=reply_to)
    await mailbox.send(late, recipients=[reply_to])
    row = await mailbox.settled(late["Message-ID"])
    assert (row["status"], row["outcome"]) == ("ignored", "case_closed")
    assert await mailbox.db.fetchval("SELECT count(*) FROM case_messages WHERE case_id = $1", case_id) == 0
    [notice] = await mailpit.wait_for(user.email, subject_contains=f"Re: Re: {number}")
    assert "the case it answers is closed" in (await mailpit.message(notice["ID"]))["Text"]


async def test_a_staff_answer_is_mailed_with_the_reply_address_and_its_mailed_answer_resumes_the_case(
    stack: dict[str, Any],
    accounts: Accounts,
    events: EventPublisher,
    mailbox: Mailbox,
    mailpit: Mailpit,
    gateway: httpx.AsyncClient,
) -> None:
    """The desk's workflow holds for mail: a staff answer waits on the customer, whose mailed
    answer puts the case back in progress; only the customer's mails carry the case address."""
    user, _ = await customer(stack, accounts, events, mailbox.db, {unique_product(): COVERED})
    engineer = await accounts.user("support")
    first = new_mail(user.email, "Licence import", "The import hangs.")
    await mailbox.send(first)
    case_id = (await mailbox.settled(first["Message-ID"]))["case_id"]
    number = (await mailbox.case(case_id))["number"]
    [team_mail] = await mailpit.wait_for("support-team@example.com", subject_contains=number)
    team_reply_to = (await _headers(mailpit, team_mail["ID"])).get("Reply-To", [""])[0]
    assert token_of_address(team_reply_to, "support@example.com") is None

    answered = await gateway.post(
        f"/api/cases/cases/{case_id}/messages", json={"body": "Which file size?"}, headers=engineer.headers
    )
    assert answered.status_code == 201, answered.text
    assert (await mailbox.case(case_id))["status"] == "waiting_on_customer"
    mails = await mailpit.wait_for(user.email, count=2, subject_contains=number)  # opened, answered
    [headers] = [
        h for h in [await _headers(mailpit, m["ID"]) for m in mails] if h["X-Mail-Kind"] == ["case_answered"]
    ]
    token = token_of_address(headers["Reply-To"][0], "support@example.com")
    assert token and case_of_token(token, DEV_SECRET) == case_id

    reply = new_mail(user.email, f"Re: {number}", "About 2 GB.", to=headers["Reply-To"][0])
    await mailbox.send(reply, recipients=[headers["Reply-To"][0]])
    row = await mailbox.settled(reply["Message-ID"])
    assert (row["outcome"], row["case_id"]) == ("case_message", case_id)
    assert (await mailbox.case(case_id))["status"] == "in_progress"


async def test_an_answer_after_the_reopen_window_is_refused_like_a_closed_case(
    stack: dict[str, Any],
    accounts: Accounts,
    events: EventPublisher,
    mailbox: Mailbox,
    mailpit: Mailpit,
    gateway: httpx.AsyncClient,
) -> None:
    user, _ = await customer(stack, accounts, events, mailbox.db, {unique_product(): COVERED})
    engineer = await accounts.user("support")
    first = new_mail(user.email, "Backup restore", "The restore stops at 90%.")
    await mailbox.send(first)
    case_id = (await mailbox.settled(first["Message-ID"]))["case_id"]
    number = (await mailbox.case(case_id))["number"]
    # The case-opened mail arrives before the answer's, so it is the one mail found here.
    [case_mail] = await mailpit.wait_for(user.email, subject_contains=number)
    resolved = await gateway.post(
        f"/api/cases/cases/{case_id}/messages",
        json={"body": "Fixed in 5.2.2", "status": "resolved"},
        headers=engineer.headers,
    )
    assert resolved.status_code == 201, resolved.text
    # Resolved longer ago than the reopen window (14 days by default).
    await mailbox.db.execute(
        "UPDATE cases SET resolved_at = now() - interval '30 days' WHERE id = $1", case_id
    )
    reply_to = (await _headers(mailpit, case_mail["ID"]))["Reply-To"][0]
    late = new_mail(user.email, f"Re: {number}", "It happened again.", to=reply_to)
    await mailbox.send(late, recipients=[reply_to])
    row = await mailbox.settled(late["Message-ID"])
    assert (row["status"], row["outcome"]) == ("ignored", "case_closed")
    assert (await mailbox.case(case_id))["status"] == "resolved"


async def test_a_case_token_is_no_key_for_someone_else(
    stack: dict[str, Any],
    accounts: Accounts,
    events: EventPublisher,
    mailbox: Mailbox,
    mailed_case: MailedCase,
) -> None:
    """A forwarded case mail answered by another customer does not write into the case."""
    other, _ = await customer(stack, accounts, events, mailbox.db, {unique_product(): COVERED})
    reply_to = mailed_case.case_mail_headers["Reply-To"][0]
    intruder = new_mail(other.email, "Re: your case", "Let me in.", to=reply_to)
    await mailbox.send(intruder, recipients=[reply_to])
    row = await mailbox.settled(intruder["Message-ID"])
    assert (row["status"], row["outcome"], row["case_id"]) == ("ignored", "not_case_owner", None)


async def test_one_sender_cannot_open_cases_without_limit(
    stack: dict[str, Any], accounts: Accounts, events: EventPublisher, mailbox: Mailbox
) -> None:
    """New cases by mail are limited per sender and hour (the stack runs the default, 30)."""
    user, licenses = await customer(stack, accounts, events, mailbox.db, {unique_product(): COVERED})
    mails = [new_mail(user.email, f"Question {i}", "Another question.") for i in range(31)]
    for mail in mails:
        await mailbox.send(mail)
    outcomes = [(await mailbox.settled(mail["Message-ID"]))["outcome"] for mail in mails]
    assert outcomes.count("case_opened") == 30 and outcomes.count("rate_limited") == 1
    [license_id] = licenses.values()
    assert await mailbox.db.fetchval("SELECT count(*) FROM cases WHERE license_id = $1", license_id) == 30


async def test_a_colleague_answers_an_organizations_case_by_mail(
    stack: dict[str, Any], accounts: Accounts, events: EventPublisher, mailbox: Mailbox, mailpit: Mailpit
) -> None:
    """The mailbox follows the portal's rule on an organization's case: a member's mail to the
    case address (say, a reply to all of a case mail the reporter copied them on) is their
    message on the case; on a case the reporter made private it is ignored as anyone else's."""
    product, organization_id = unique_product(), uuid.uuid4()
    reporter, colleague = (
        await accounts.user(name="Mail Customer"),
        await accounts.user(name="Mail Colleague"),
    )
    for person in (reporter, colleague):
        await events.publish(organization_member_added(person.user_id, organization_id, "Acme Mail Ltd."))
        await events.publish(user_verified(person.user_id, person.email, person.name, "en"))
    license_id = uuid.UUID(
        (
            await events.bind_license(reporter.user_id, product, *COVERED, organization_id=organization_id)
        ).subject
    )

    async def projected() -> bool:
        members = await mailbox.db.fetchval(
            "SELECT count(*) FROM memberships m JOIN people p USING (user_id) WHERE m.organization_id = $1",
            organization_id,
        )
        owner = await mailbox.db.fetchval(
            "SELECT organization_id FROM holdings WHERE license_id = $1", license_id
        )
        return members == 2 and owner == organization_id

    await eventually(projected, what="the organization's members and license projected into cases")
    opened = new_mail(reporter.email, "Export hangs", "The nightly export hangs at 50%.")
    await mailbox.send(opened)
    case_id = (await mailbox.settled(opened["Message-ID"]))["case_id"]
    case = await mailbox.case(case_id)
    assert case["organization_id"] == organization_id
    [case_mail] = await mailpit.wait_for(reporter.email, subject_contains=case["number"])
    reply_to = (await _headers(mailpit, case_mail["ID"]))["Reply-To"][0]

    answer = new_mail(colleague.email, f"Re: {case['number']}", "Same here since Monday.", to=reply_to)
    await mailbox.send(answer, recipients=[reply_to])
    row = await mailbox.settled(answer["Message-ID"])
    assert (row["status"], row["outcome"], row["case_id"]) == ("applied", "case_message", case_id)
    author = await mailbox.db.fetchval(
        "SELECT author_id FROM case_messages WHERE id = $1", row["case_message_id"]
    )
    assert author == colleague.user_id

    await mailbox.db.execute("UPDATE cases SET private = true WHERE id = $1", case_id)
    again = new_mail(colleague.email, f"Re: {case['number']}", "Any news?", to=reply_to)
    await mailbox.send(again, recipients=[reply_to])
    row = await mailbox.settled(again["Message-ID"])
    assert (row["status"], row["outcome"], row["case_id"]) == ("ignored", "not_case_owner", None)
