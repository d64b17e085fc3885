"""Reading a raw mail: headers that matter, the body as text, the attachments.

`parse` is called twice for every mail: by the receiver before it answers (a mail it cannot
read is refused with a 5xx there, so the sender learns of it) and by the processor, which can
then rely on it. It raises `MalformedMail` with the SMTP reply to give.
"""

import asyncio
import hashlib
import re
from dataclasses import dataclass, field
from email import errors, policy
from email.header import decode_header, make_header
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from services.cases.mailbox.cleaning import html_to_text, trim_reply
from shared.i18n import Locale, normalize_locale

# Defects after which the structure of the mail cannot be trusted (parts lost or merged).
_FATAL_DEFECTS = (
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.CloseBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
    errors.MissingHeaderBodySeparatorDefect,
    errors.InvalidMultipartContentTransferEncodingDefect,
)
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
SUBJECT_MAX = 200
# Headers loops.py looks at.
_WATCHED = ("auto-submitted", "precedence", "list-id", "list-unsubscribe", "x-auto-response-suppress",
            "x-autoreply", "x-autorespond", "x-mail-kind", "return-path", "content-type")  # fmt: skip


class MalformedMail(ValueError):
    """The mail cannot be read; `reply` is the SMTP answer (RFC 3463 enhanced code included)."""

    def __init__(self, detail: str, code: str = "5.6.0") -> None:
        super().__init__(detail)
        self.reply = f"550 {code} {detail}"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None
    from_address: str
    from_name: str
    subject: str
    text: str  # the whole text body (HTML already reduced)
    attachments: list[Attachment] = field(default_factory=list)
    in_reply_to: str = ""
    references: str = ""
    locale: Locale | None = None  # what the mail says it is written in
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names, for loops.py

    @property
    def new_text(self) -> str:
        """The body without quoted history and signature: what goes into a case."""
        return trim_reply(self.text)


def _headers(message: EmailMessage) -> dict[str, str]:
    """First value of every header, unfolded and RFC 2047-decoded, by lower-case name.

    Read from the raw header lines: the modern policy's structured header parsing costs
    milliseconds per mail and is not needed for these few fields.
    """
    found: dict[str, str] = {}
    for name, value in message.raw_items():
        key = name.lower()
        if key in found:
            continue
        try:
            decoded = str(make_header(decode_header(re.sub(r"\r?\n(?=[ \t])", "", str(value)))))
        except (errors.HeaderParseError, UnicodeError, LookupError, ValueError) as error:
            raise MalformedMail(f"The {name} header cannot be decoded") from error
        found[key] = re.sub(r"\s+", " ", decoded).strip()
    return found


def _message_id(headers: dict[str, str]) -> str | None:
    match = _MESSAGE_ID.search(headers.get("message-id", ""))
    return match.group(0) if match else None


def _text_of(part: MIMEPart) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # unknown or lying charset: keep what can be read
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _body_and_attachments(message: EmailMessage) -> tuple[str, list[Attachment]]:
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        text = _text_of(body)
        if body.get_content_type() == "text/html":
            text = html_to_text(text)
    attachments: list[Attachment] = []
    for part in message.iter_attachments() if message.is_multipart() else ():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        name = part.get_filename() or f"attachment-{len(attachments) + 1}"
        attachments.append(Attachment(_safe_filename(name), part.get_content_type(), data))
    return text, attachments


def _printable(text: str) -> str:
    """Without NUL and the other C0 controls but tab and line breaks: PostgreSQL text and JSONB
    cannot store NUL (the HTTP side refuses it at the door; mail can only be cleaned)."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


def _safe_filename(name: str) -> str:
    """A name for the object store and a download: no paths, no control characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".") or "attachment"
    return base[:150]


def parse(raw: bytes) -> ParsedMail:
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
    except Exception as error:  # the parser is lenient; anything it still throws is malformed input
        raise MalformedMail("The message cannot be parsed as MIME") from error
    defects = [d for part in message.walk() for d in part.defects if isinstance(d, _FATAL_DEFECTS)]
    if defects:
        raise MalformedMail(f"Malformed MIME structure ({type(defects[0]).__name__})")
    headers = _headers(message)
    # Addresses from the raw value: a decoded display name may hold commas or "@".
    from_header = next((str(v) for n, v in message.raw_items() if n.lower() == "from"), "")
    addresses = [a for _, a in getaddresses([from_header]) if "@" in a]
    if len(addresses) != 1:
        raise MalformedMail("The From header must name exactly one sender address", code="5.1.7")
    _, address = parseaddr(from_header)
    name = parseaddr(headers.get("from", ""))[0] if "," not in headers.get("from", "") else ""
    try:
        text, attachments = _body_and_attachments(message)
    except MalformedMail:
        raise
    except Exception as error:
        raise MalformedMail("The message body cannot be decoded") from error
    subject = _printable(headers.get("subject", ""))
    return ParsedMail(
        message_id=_message_id(headers),
        from_address=address.strip().lower(),
        from_name=name.strip(),
        subject=subject[:SUBJECT_MAX],
        text=_printable(text.replace("\r\n", "\n").replace("\r", "\n")).strip(),
        attachments=attachments,
        in_reply_to=headers.get("in-reply-to", ""),
        references=headers.get("references", ""),
        locale=normalize_locale(headers.get("content-language", "").split(",")[0] or None),
        headers={name: headers[name].lower() for name in _WATCHED if name in headers},
    )


# Big mails are parsed off the event loop, so one 20 MiB attachment does not stall SMTP sessions.
_PARSE_IN_THREAD_FROM = 256 * 1024


async def parse_off_loop(raw: bytes) -> ParsedMail:
    if len(raw) >= _PARSE_IN_THREAD_FROM:
        return await asyncio.to_thread(parse, raw)
    return parse(raw)


def idempotency_key(raw: bytes, parsed: ParsedMail) -> str:
    """Message-ID, or for the rare mail without one, a digest of its bytes (the same copy
    delivered twice is still applied once)."""
    return parsed.message_id or f"<sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id>"
