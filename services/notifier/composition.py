"""Turning a queued delivery into a MIME message with the headers mail clients expect.

Built with the `compat32` MIME classes rather than `EmailMessage`: the modern policy parses
every header it is given and costs several milliseconds per mail, which dominates a release
fan-out to thousands of recipients. The result is the same standard MIME.
"""

from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from uuid import UUID

from services.notifier.rendering import RenderedMail
from shared import clock


@dataclass(frozen=True)
class ThreadHeaders:
    """Headers that tie a mail to a conversation: a case mail's reply address and thread, or
    the customer mail an auto-reply answers."""

    reply_to: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: str | None = None
    # RFC 3834: "auto-replied" for answers to a person's mail, else "auto-generated".
    auto_submitted: str = "auto-generated"


@dataclass(frozen=True)
class OutgoingMail:
    """What goes over SMTP: envelope addresses and the message bytes."""

    sender: str
    recipient: str
    data: bytes
    message_id: str


def message_id(delivery_id: UUID, mail_from: str) -> str:
    """Deterministic from the delivery id: a resend after a crash carries the same Message-ID,
    so receivers (and people) can recognise the duplicate."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<{delivery_id}@{domain}>"


def _address_header(value: str) -> str:
    """A `Name <addr>` header with the display name RFC 2047-encoded when it is not ASCII."""
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


def compose(
    *,
    delivery_id: UUID,
    kind: str,
    locale: str,
    to_email: str,
    to_name: str | None,
    rendered: RenderedMail,
    mail_from: str,
    reply_to: str | None,
    one_click_unsubscribe_url: str | None,
    now: datetime | None = None,
    thread: ThreadHeaders | None = None,
) -> OutgoingMail:
    thread = thread or ThreadHeaders()
    message = MIMEMultipart("alternative")
    message["Subject"] = Header(rendered.subject, "utf-8").encode()
    message["From"] = _address_header(mail_from)
    message["To"] = formataddr((to_name, to_email), charset="utf-8") if to_name else to_email
    if thread.reply_to or reply_to:
        message["Reply-To"] = _address_header(thread.reply_to or reply_to or "")
    message["Date"] = format_datetime(now or clock.now())
    mid = thread.message_id or message_id(delivery_id, mail_from)
    message["Message-ID"] = mid
    if thread.in_reply_to:
        message["In-Reply-To"] = thread.in_reply_to
    if thread.references:
        message["References"] = thread.references
    message["Content-Language"] = locale
    # RFC 3834: tells auto-responders (vacation replies) not to answer.
    message["Auto-Submitted"] = thread.auto_submitted
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Mail-Kind"] = kind
    if one_click_unsubscribe_url:
        # RFC 8058: mail clients offer "unsubscribe" and POST `List-Unsubscribe=One-Click` to the
        # URL without opening it in a browser; the signed token in it is the authority.
        message["List-Unsubscribe"] = f"<{one_click_unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message["Precedence"] = "bulk"
    # Plain text first: clients show the last alternative they understand (the HTML).
    message.attach(MIMEText(rendered.text, "plain", "utf-8"))
    message.attach(MIMEText(rendered.html, "html", "utf-8"))
    return OutgoingMail(
        sender=parseaddr(mail_from)[1],
        recipient=to_email,
        data=message.as_bytes(),
        message_id=mid,
    )
