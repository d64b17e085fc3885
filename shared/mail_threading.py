"""How a case mail and the customer's answer find each other: signed per-case reply tokens.

The notifier writes them into case mails (a `support+<token>@domain` Reply-To and a Message-ID
that carries the token); the cases service's mailbox reads them back from the recipient
address, `In-Reply-To` or `References` of an answer. One module, so both sides agree.

A token is the case id plus a truncated HMAC of it under a secret both services share
(`MAIL_TOKEN_SECRET`): knowing a case id, or seeing another case's token, does not let anyone
write into a case. Base32 in lower case, because mail systems may fold the case of local parts.
"""

import base64
import hashlib
import hmac
import re
from email.utils import parseaddr
from uuid import UUID

_MAC_BYTES = 10  # 80 bits: far beyond guessing through an SMTP front door
TOKEN_LENGTH = 42  # base32 of 16 + 10 bytes, unpadded
_TOKEN = rf"[a-z2-7]{{{TOKEN_LENGTH}}}"
# Message-IDs of case mails: <delivery-id.case-TOKEN@domain>; any msg-id holding one is ours.
_TOKEN_IN_MESSAGE_ID = re.compile(rf"[.<]case-({_TOKEN})@", re.IGNORECASE)


def _mac(case_id: UUID, secret: str) -> bytes:
    return hmac.new(secret.encode(), b"case-reply:" + case_id.bytes, hashlib.sha256).digest()[:_MAC_BYTES]


def case_token(case_id: UUID, secret: str) -> str:
    raw = case_id.bytes + _mac(case_id, secret)
    return base64.b32encode(raw).decode().rstrip("=").lower()


def case_of_token(token: str, secret: str) -> UUID | None:
    """The case a token names, or None when it is malformed or not signed with `secret`."""
    if not re.fullmatch(_TOKEN, token.lower()):
        return None
    padded = token.upper() + "=" * (-len(token) % 8)
    try:
        raw = base64.b32decode(padded)
    except ValueError:
        return None
    case_id = UUID(bytes=raw[:16])
    # Compared as text, so the unused low bits of the last character cannot vary either.
    return case_id if hmac.compare_digest(case_token(case_id, secret), token.lower()) else None


def domain_of(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2].lower() or "localhost"


def reply_address(support_address: str, token: str) -> str:
    """`support@example.com` + token → `support+<token>@example.com` (RFC 5233 subaddress)."""
    local, _, domain = parseaddr(support_address)[1].partition("@")
    return f"{local}+{token}@{domain}"


def token_of_address(address: str, support_address: str) -> str | None:
    """The token in `support+<token>@domain` when that is our support address, else None."""
    local, _, domain = parseaddr(address)[1].lower().partition("@")
    our_local, _, our_domain = parseaddr(support_address)[1].lower().partition("@")
    base, plus, tag = local.partition("+")
    if domain != our_domain or base != our_local or not plus:
        return None
    return tag


def case_message_id(delivery_id: UUID, token: str, domain: str) -> str:
    return f"<{delivery_id}.case-{token}@{domain}>"


def case_thread_root(token: str, domain: str) -> str:
    """A Message-ID no mail has, named by every case mail's References: clients thread a case's
    mails together, and an answer's References keep the token even if In-Reply-To is lost."""
    return f"<case-{token}@{domain}>"


def tokens_in_references(*headers: str | None) -> list[str]:
    """Tokens found in `In-Reply-To` / `References` values, in the order given."""
    found: list[str] = []
    for header in headers:
        for match in _TOKEN_IN_MESSAGE_ID.finditer(header or ""):
            token = match.group(1).lower()
            if token not in found:
                found.append(token)
    return found
