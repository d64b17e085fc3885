"""Turning a queued delivery into a MIME message with the headers mail clients expect."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from uuid import UUID

from services.notifier.rendering import RenderedMail

# Mails that go to many people because of their coverage get a List-Unsubscribe header.
BULK_KINDS = frozenset({"release"})


def message_id(delivery_id: UUID, mail_from: str) -> str:
    """Deterministic from the delivery id: a resend after a crash carries the same Message-ID,
    so receivers (and people) can recognise the duplicate."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<{delivery_id}@{domain}>"


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
    unsubscribe_url: str | None,
    now: datetime | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = mail_from
    message["To"] = formataddr((to_name, to_email)) if to_name else to_email
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = message_id(delivery_id, mail_from)
    # RFC 3834: tells auto-responders (vacation replies) not to answer.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Mail-Kind"] = kind
    if kind in BULK_KINDS and unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message.set_content(rendered.text, subtype="plain", charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    # After the bodies: set_content() clears every Content-* header, this one included.
    message["Content-Language"] = locale
    return message
