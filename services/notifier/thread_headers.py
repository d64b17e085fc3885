"""Conversation headers of case mails and mailbox auto-replies (see shared.mail_threading).

Decided at send time from the delivery's context, so the signing secret never sits in the
queue: a case mail (context has `case_id`) gets a signed per-case Reply-To and a Message-ID
carrying the same token, which the cases service's mailbox reads back from the answer; an
auto-reply (context has `in_reply_to`) is threaded under the mail it answers.
"""

import re
from typing import Any
from uuid import UUID

from services.notifier.composition import ThreadHeaders
from shared.config import ServiceSettings
from shared.mail_threading import (
    case_message_id,
    case_thread_root,
    case_token,
    domain_of,
    reply_address,
)

# A header value taken from someone else's mail is only reused when it is one plain msg-id.
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")


def thread_headers_for(
    delivery_id: UUID, context: dict[str, Any], settings: ServiceSettings
) -> ThreadHeaders | None:
    if context.get("case_id"):
        token = case_token(UUID(str(context["case_id"])), settings.mail_token_secret)
        domain = domain_of(settings.mail_from)
        root = case_thread_root(token, domain)
        return ThreadHeaders(
            reply_to=reply_address(settings.support_address, token),
            message_id=case_message_id(delivery_id, token, domain),
            in_reply_to=root,
            references=root,
        )
    original = str(context.get("in_reply_to") or "")
    if _MESSAGE_ID.fullmatch(original):
        return ThreadHeaders(in_reply_to=original, references=original, auto_submitted="auto-replied")
    return None
