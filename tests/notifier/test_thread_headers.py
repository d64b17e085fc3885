"""Conversation headers of case mails and mailbox auto-replies (pure: no stack)."""

import uuid
from email import message_from_bytes

from services.notifier.composition import compose
from services.notifier.config import Settings
from services.notifier.rendering import RenderedMail
from services.notifier.thread_headers import thread_headers_for
from shared.mail_threading import case_of_token, token_of_address

SETTINGS = Settings(
    mail_token_secret="s3cret", support_address="help@vendor.test", mail_from="Support <help@vendor.test>"
)
RENDERED = RenderedMail(subject="Hello", text="Hello\n", html="<p>Hello</p>")


def _mail(context: dict[str, str]):
    delivery_id = uuid.uuid4()
    outgoing = compose(
        delivery_id=delivery_id,
        kind="case_opened",
        locale="en",
        to_email="ann@customer.test",
        to_name="Ann",
        rendered=RENDERED,
        mail_from=SETTINGS.mail_from,
        reply_to=None,
        one_click_unsubscribe_url=None,
        thread=thread_headers_for(delivery_id, context, SETTINGS),
    )
    return message_from_bytes(outgoing.data), outgoing


def test_a_case_mail_replies_to_its_signed_case_address() -> None:
    case_id = uuid.uuid4()
    message, outgoing = _mail({"case_id": str(case_id)})
    token = token_of_address(message["Reply-To"], SETTINGS.support_address)
    assert token and case_of_token(token, "s3cret") == case_id
    # Long ids are folded onto their own header line (RFC 5322 folding white space).
    assert message["Message-ID"].strip() == outgoing.message_id
    assert f".case-{token}@vendor.test>" in outgoing.message_id
    assert message["References"].strip() == message["In-Reply-To"].strip() == f"<case-{token}@vendor.test>"
    assert message["Auto-Submitted"] == "auto-generated"


def test_an_auto_reply_is_threaded_under_the_mail_it_answers() -> None:
    message, _ = _mail({"in_reply_to": "<abc@customer.test>"})
    assert message["In-Reply-To"] == message["References"] == "<abc@customer.test>"
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["Reply-To"] is None


def test_a_header_from_a_strangers_mail_cannot_inject_headers() -> None:
    message, _ = _mail({"in_reply_to": "<abc@customer.test>\r\nBcc: victim@example.org"})
    assert message["Bcc"] is None and message["In-Reply-To"] is None
    plain, _ = _mail({})
    assert plain["In-Reply-To"] is None and plain["Auto-Submitted"] == "auto-generated"
