"""The mailbox's own rules, without the stack: tokens, reading mail, trimming, loop detection."""

import uuid
from email.message import EmailMessage

import pytest

from services.cases.mailbox.case_threading import case_answered
from services.cases.mailbox.cleaning import html_to_text, trim_reply
from services.cases.mailbox.customers import CoveredLicense, pick_license
from services.cases.mailbox.loops import why_not_answer
from services.cases.mailbox.parsing import MalformedMail, parse
from shared.mail_threading import (
    case_message_id,
    case_of_token,
    case_token,
    reply_address,
    token_of_address,
    tokens_in_references,
)

SECRET = "test-secret"
SUPPORT = "support@example.com"
FROM = "Support Portal <support@example.com>"


def _mail(**headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Ann Lee <ann@customer.test>")
    message["To"] = SUPPORT
    message["Subject"] = headers.pop("Subject", "Scheduler stops")
    message["Message-ID"] = headers.pop("Message_ID", f"<{uuid.uuid4().hex}@customer.test>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("It stops after the upgrade.")
    return message.as_bytes()


# --- tokens ------------------------------------------------------------------------------------


def test_a_token_names_its_case_and_cannot_be_forged() -> None:
    case_id = uuid.uuid4()
    token = case_token(case_id, SECRET)
    assert case_of_token(token, SECRET) == case_id
    assert case_of_token(token.upper(), SECRET) == case_id  # MTAs may fold local parts
    assert case_of_token(token, "another-secret") is None
    other = case_token(uuid.uuid4(), SECRET)
    assert case_of_token(token[:26] + other[26:], SECRET) is None  # someone else's signature
    assert case_of_token("not-a-token", SECRET) is None
    last = "b" if token[-1] == "a" else "a"  # may differ only in the unused low bits of the last character
    assert case_of_token(token[:-1] + last, SECRET) is None


def test_the_reply_address_and_message_id_carry_the_token() -> None:
    case_id = uuid.uuid4()
    token = case_token(case_id, SECRET)
    address = reply_address(FROM, token)
    assert address == f"support+{token}@example.com" and len(address.partition("@")[0]) <= 64
    assert token_of_address(address.upper(), SUPPORT) == token.upper().lower()
    assert token_of_address(f"sales+{token}@example.com", SUPPORT) is None
    assert token_of_address(f"support+{token}@elsewhere.test", SUPPORT) is None
    mid = case_message_id(uuid.uuid4(), token, "example.com")
    assert tokens_in_references(f"<a@b> {mid}") == [token]


def test_a_mail_is_threaded_by_plus_address_then_by_references() -> None:
    case_id = uuid.uuid4()
    token = case_token(case_id, SECRET)
    mail = parse(_mail())
    assert case_answered(mail, [f"support+{token}@example.com"], SUPPORT, SECRET) == case_id
    assert case_answered(mail, [SUPPORT], SUPPORT, SECRET) is None
    reply = parse(_mail(In_Reply_To=case_message_id(uuid.uuid4(), token, "example.com")))
    assert case_answered(reply, [SUPPORT], SUPPORT, SECRET) == case_id
    tampered = token[:30] + ("b" if token[30] == "a" else "a") + token[31:]  # a character of the MAC
    forged = parse(_mail(References=f"<x.case-{tampered}@example.com>"))
    assert case_answered(forged, [SUPPORT], SUPPORT, SECRET) is None


# --- reading mail --------------------------------------------------------------------------------


def test_malformed_mime_is_refused_with_an_smtp_reply() -> None:
    broken = (
        b"From: ann@customer.test\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="zzz"\r\n\r\nno parts at all\r\n'
    )
    with pytest.raises(MalformedMail) as raised:
        parse(broken)
    assert raised.value.reply.startswith("550 5.6.0")
    with pytest.raises(MalformedMail) as no_sender:
        parse(b"Subject: who am I\r\n\r\nbody\r\n")
    assert no_sender.value.reply.startswith("550 5.1.7")


def test_nul_and_control_characters_never_reach_the_database() -> None:
    raw = (
        b"From: ann@customer.test\r\nSubject: =?utf-8?q?bad=00subject?=\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nline\x00one\x07\r\n\tline two\r\n"
    )
    mail = parse(raw)
    assert mail.subject == "badsubject" and mail.text == "lineone\n\tline two"


def test_html_is_reduced_to_safe_text_without_the_quoted_mail() -> None:
    text = html_to_text(
        "<html><head><style>p{color:red}</style></head><body><p>Hello <b>team</b><br>line 2</p>"
        "<script>alert(1)</script><img src=x onerror=alert(2)>"
        "<ul><li>a</li><li>b &amp; c</li></ul><div class='gmail_quote'>old <b>mail</b></div></body></html>"
    )
    assert text == "Hello team\nline 2\n\n- a\n- b & c"


@pytest.mark.parametrize(
    "answer",
    [
        "Thanks, it works.\n\nOn Mon, 1 Dec 2026 at 10:00, Support <support@example.com> wrote:\n> old\n",
        "Thanks, it works.\n\n於 2026年12月1日 週一 10:00，Support <support@example.com> 寫道：\n> 舊的\n",
        "Thanks, it works.\n\n2026年12月1日(月) 10:00 Support <support@example.com>:\n> 古い\n",
        "Thanks, it works.\n\nFrom: Support <support@example.com>\nSent: Monday\nTo: Ann\n\nold\n",
        "Thanks, it works.\n-- \nAnn Lee\nACME Corp\n",
        "Thanks, it works.\n\nSent from my iPhone\n",
    ],
)
def test_quoted_history_and_signatures_are_trimmed(answer: str) -> None:
    assert trim_reply(answer) == "Thanks, it works."


def test_a_forwarded_mail_is_kept_it_is_what_the_customer_reports() -> None:
    text = "See the error below.\n\n---------- Forwarded message ---------\nFrom: cron@host\nDate: today\n\nJob failed"
    assert "Job failed" in trim_reply(text)


def test_a_mail_that_is_only_quotation_keeps_its_text() -> None:
    assert trim_reply("> only quoted\n> text") == "> only quoted\n> text"


# --- loops ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "envelope_from", "reason"),
    [
        ({}, "", "bounce"),
        ({"From": "MAILER-DAEMON@mx.customer.test"}, "bounces@mx.customer.test", "bounce"),
        ({"Auto_Submitted": "auto-replied"}, "ann@customer.test", "auto_submitted"),
        ({"Precedence": "bulk"}, "ann@customer.test", "bulk"),
        ({"Precedence": "junk"}, "ann@customer.test", "bulk"),
        ({"List_Id": "<users.lists.customer.test>"}, "ann@customer.test", "mailing_list"),
        ({"Message_ID": f"<{uuid.uuid4()}@example.com>"}, "ann@customer.test", "our_own_mail"),
        ({"From": "support@example.com"}, "support@example.com", "our_own_mail"),
        ({"Auto_Submitted": "no"}, "ann@customer.test", None),
    ],
)
def test_mail_that_must_never_be_answered(
    headers: dict[str, str], envelope_from: str, reason: str | None
) -> None:
    assert why_not_answer(parse(_mail(**headers)), envelope_from, SUPPORT, FROM) == reason


# --- which license --------------------------------------------------------------------------------


def test_the_product_comes_from_the_single_covered_one_or_the_subject() -> None:
    from datetime import date

    flow = CoveredLicense(uuid.uuid4(), "OMFLOW", date(2030, 1, 1))
    bot = CoveredLicense(uuid.uuid4(), "OMBOT", date(2030, 1, 1))
    assert pick_license([flow], "anything") == flow
    assert pick_license([flow, bot], "Scheduler stops") == ["OMBOT", "OMFLOW"]
    assert pick_license([flow, bot], "OMBOT: scheduler stops") == bot
