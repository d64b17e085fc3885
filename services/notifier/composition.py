"""Turning a queued delivery into a MIME message with the headers mail clients expect.

The message is one `multipart/alternative` (plain text, then HTML, both UTF-8 in base64). Its
bytes are written directly: even the `compat32` MIME classes cost ~0.8 ms per mail (building
the tree, then a generator that re-folds every header and searches the bodies for the boundary),
which was half of the sender's CPU in a release fan-out. `compose_generic` builds the same
message with those classes; a test holds the two byte for byte equal (the boundary aside, which
the direct path derives from the delivery id instead of drawing it at random: base64 bodies can
never contain it).
"""

import re
from binascii import b2a_base64
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from typing import Any
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
    domain = envelope_address(mail_from).rpartition("@")[2] or "localhost"
    return f"<{delivery_id}@{domain}>"


# The sender's own addresses are the same in every mail: parse them once (parseaddr is slow).
@lru_cache(maxsize=64)
def envelope_address(value: str) -> str:
    return parseaddr(value)[1]


@lru_cache(maxsize=64)
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
    headers = _headers(
        delivery_id=delivery_id,
        kind=kind,
        locale=locale,
        to_email=to_email,
        to_name=to_name,
        rendered=rendered,
        mail_from=mail_from,
        reply_to=reply_to,
        one_click_unsubscribe_url=one_click_unsubscribe_url,
        now=now,
        thread=thread,
    )
    return OutgoingMail(
        sender=envelope_address(mail_from),
        recipient=to_email,
        data=_direct_bytes(headers, rendered, _boundary(delivery_id)),
        message_id=thread.message_id or message_id(delivery_id, mail_from),
    )


def compose_generic(*, delivery_id: UUID, rendered: RenderedMail, **fields: Any) -> OutgoingMail:
    """The same mail through the `compat32` MIME classes (the reference the direct path is
    tested against)."""
    thread = fields.pop("thread", None) or ThreadHeaders()
    headers = _headers(delivery_id=delivery_id, rendered=rendered, thread=thread, **fields)
    return OutgoingMail(
        sender=envelope_address(fields["mail_from"]),
        recipient=fields["to_email"],
        data=_generic_bytes(headers, rendered),
        message_id=thread.message_id or message_id(delivery_id, fields["mail_from"]),
    )


def _headers(
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
    now: datetime | None,
    thread: ThreadHeaders,
) -> list[tuple[str, str]]:
    """The message's own headers, in order, each value already in its ASCII form."""
    headers = [
        ("Subject", _encoded_subject(rendered.subject)),
        ("From", _address_header(mail_from)),
        ("To", formataddr((to_name, to_email), charset="utf-8") if to_name else to_email),
    ]
    if thread.reply_to or reply_to:
        headers.append(("Reply-To", _address_header(thread.reply_to or reply_to or "")))
    headers.append(("Date", format_datetime(now or clock.now())))
    headers.append(("Message-ID", thread.message_id or message_id(delivery_id, mail_from)))
    if thread.in_reply_to:
        headers.append(("In-Reply-To", thread.in_reply_to))
    if thread.references:
        headers.append(("References", thread.references))
    headers.append(("Content-Language", locale))
    # RFC 3834: tells auto-responders (vacation replies) not to answer.
    headers.append(("Auto-Submitted", thread.auto_submitted))
    headers.append(("X-Auto-Response-Suppress", "All"))
    headers.append(("X-Mail-Kind", kind))
    if one_click_unsubscribe_url:
        # RFC 8058: mail clients offer "unsubscribe" and POST `List-Unsubscribe=One-Click` to the
        # URL without opening it in a browser; the signed token in it is the authority.
        headers.append(("List-Unsubscribe", f"<{one_click_unsubscribe_url}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        headers.append(("Precedence", "bulk"))
    return headers


@lru_cache(maxsize=1024)
def _encoded_subject(subject: str) -> str:
    # A release's subject is the same for every reader of one language: encode it once.
    return Header(subject, "utf-8").encode()


def _generic_bytes(headers: list[tuple[str, str]], rendered: RenderedMail) -> bytes:
    message = MIMEMultipart("alternative")
    for name, value in headers:
        message[name] = value
    # Plain text first: clients show the last alternative they understand (the HTML).
    message.attach(MIMEText(rendered.text, "plain", "utf-8"))
    message.attach(MIMEText(rendered.html, "html", "utf-8"))
    return message.as_bytes()


# What `compat32` writes for a multipart's header and each UTF-8 text part's header.
_MULTIPART_HEADER = 'Content-Type: multipart/alternative;\n boundary="{boundary}"\nMIME-Version: 1.0\n'
_PART_HEADER = (
    'Content-Type: text/{subtype}; charset="utf-8"\nMIME-Version: 1.0\nContent-Transfer-Encoding: base64\n\n'
)
_MAX_LINE = 78  # compat32's folding width
# A value compat32 cannot fold: it splits only at whitespace, ';' and ','.
_UNBROKEN = re.compile(r"[^\s;,]+")


def _boundary(delivery_id: UUID) -> str:
    """compat32's boundary shape (15 '=', 19 digits, '=='), from the delivery id rather than at
    random; '=' and digits cannot start a base64 line with '--', so no body can contain it."""
    return f"==============={delivery_id.int % 10**19:019d}=="


def _base64_lines(data: bytes) -> bytes:
    """Base64 in 76-character lines, as compat32's body encoding writes it (one C call for the
    whole body, then slicing, instead of one call per 57 bytes)."""
    encoded = b2a_base64(data, newline=False)
    if not encoded:
        return b""
    return b"\n".join([encoded[i : i + 76] for i in range(0, len(encoded), 76)]) + b"\n"


def _header_line(name: str, value: str) -> str:
    line = f"{name}: {value}\n"
    if value.isascii() and _UNBROKEN.fullmatch(value):
        # One ASCII word (a URL in List-Unsubscribe): compat32 can fold it nowhere, so a line
        # too long gets the word on a continuation line of its own, as written here (~100 µs
        # less per mail than asking `Header`; a test compares the two over many lengths).
        return line if len(line) <= _MAX_LINE + 1 else f"{name}: \n {value}\n"
    if len(line) <= _MAX_LINE + 1 and value.isascii() and "\n" not in value and "\r" not in value:
        return line
    # compat32 passes every header through this; for a short one-line ASCII value it is the value
    # itself. Long lines, folded encoded words (a long subject), non-ASCII (an address without a
    # name) and line breaks (which it turns into continuation lines, so no header can be
    # injected) get exactly its treatment.
    return f"{name}: {Header(value, header_name=name).encode(linesep=chr(10), maxlinelen=_MAX_LINE)}\n"


# Headers whose value is the same in every mail of one kind and language (a release's subject,
# the sender's address): written once, not once per recipient.
_SHARED_HEADERS = frozenset(
    {
        "Subject",
        "From",
        "Reply-To",
        "Content-Language",
        "Auto-Submitted",
        "X-Auto-Response-Suppress",
        "X-Mail-Kind",
        "List-Unsubscribe-Post",
        "Precedence",
    }
)


@lru_cache(maxsize=1024)
def _shared_header_line(name: str, value: str) -> str:
    return _header_line(name, value)


def _direct_bytes(headers: list[tuple[str, str]], rendered: RenderedMail, boundary: str) -> bytes:
    head = _MULTIPART_HEADER.format(boundary=boundary) + "".join(
        _shared_header_line(n, v) if n in _SHARED_HEADERS else _header_line(n, v) for n, v in headers
    )
    return b"".join(
        (
            f"{head}\n--{boundary}\n".encode("ascii"),
            _PART_HEADER.format(subtype="plain").encode(),
            _base64_lines(rendered.text.encode()),
            f"\n--{boundary}\n".encode(),
            _PART_HEADER.format(subtype="html").encode(),
            _base64_lines(rendered.html.encode()),
            f"\n--{boundary}--\n".encode(),
        )
    )
