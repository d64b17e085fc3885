"""Mail that must never be answered, nor become a case: bounces, auto-replies, mailing lists,
and our own mail coming back. Answering any of these is how mail loops start (RFC 3834 §2).
"""

import re
from email.utils import parseaddr

from services.cases.mailbox.parsing import ParsedMail
from shared.mail_threading import domain_of

_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk", "auto_reply"})
_DAEMON_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply"})
_UUID_AT = re.compile(r"<[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}[.@]")


def why_not_answer(mail: ParsedMail, envelope_from: str, support_address: str, mail_from: str) -> str | None:
    """The reason to leave the mail alone (an `outcome` word), or None for a person's mail."""
    h = mail.headers
    if not envelope_from or envelope_from == "<>":
        return "bounce"  # RFC 5321: delivery reports come with a null reverse-path
    local = mail.from_address.partition("@")[0]
    if local in _DAEMON_LOCAL_PARTS or local.startswith("mailer-daemon"):
        return "bounce"
    if "multipart/report" in h.get("content-type", ""):
        return "bounce"
    if h.get("auto-submitted", "no") != "no":
        return "auto_submitted"
    if any(k in h for k in ("x-autoreply", "x-autorespond")) or "oof" in h.get(
        "x-auto-response-suppress", ""
    ):
        return "auto_submitted"
    if h.get("precedence", "") in _BULK_PRECEDENCE:
        return "bulk"
    if "list-id" in h or "list-unsubscribe" in h:
        return "mailing_list"
    ours = {domain_of(support_address), domain_of(mail_from)}
    sender_local, _, sender_domain = mail.from_address.partition("@")
    if sender_domain in ours and sender_local.partition("+")[0] in {
        _local(support_address),
        _local(mail_from),
    }:
        return "our_own_mail"
    if "x-mail-kind" in h or _is_our_message_id(mail.message_id, ours):
        return "our_own_mail"
    return None


def _local(address: str) -> str:
    return parseaddr(address)[1].lower().partition("@")[0]


def _is_our_message_id(message_id: str | None, domains: set[str]) -> bool:
    """The notifier's Message-IDs are `<uuid@domain>` or `<uuid.case-token@domain>`."""
    if not message_id:
        return False
    return bool(_UUID_AT.match(message_id)) and message_id.rstrip(">").rpartition("@")[2].lower() in domains
