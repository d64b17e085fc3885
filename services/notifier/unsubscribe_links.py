"""The links an optional mail carries: one-click unsubscribe (RFC 8058) and the preference page.

Computed when the mail is sent, from the account id and topic frozen in the delivery's context,
so the queue holds no tokens and a rotated secret applies to mail not yet sent.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from uuid import UUID

from services.notifier.preferences import TOPICS, Topic, unsubscribe_token

# Mail kinds a customer may switch off, and the topic of each (a release names its own).
OPTIONAL_KINDS = frozenset({"release", "renewal_reminder"})
PREFERENCES_PATH = "/preferences"


@dataclass(frozen=True)
class ListLinks:
    one_click_url: str | None  # the List-Unsubscribe target (POST unsubscribes, GET confirms)
    page_url: str  # the visible "unsubscribe" link: the confirmation page, or the preferences
    preferences_url: str


def topic_of(kind: str, context: dict[str, Any]) -> Topic | None:
    if kind == "renewal_reminder":
        return "renewal"
    wanted = context.get("list_topic")
    return next((t for t in TOPICS if t == wanted), None)


def links_for(kind: str, context: dict[str, Any], *, portal_url: str, secret: str) -> ListLinks | None:
    """None for mails that cannot be switched off (account and case mails)."""
    if kind not in OPTIONAL_KINDS:
        return None
    portal = portal_url.rstrip("/")
    preferences = f"{portal}{PREFERENCES_PATH}"
    topic = topic_of(kind, context)
    account = context.get("account_id")
    if topic is None or not account:  # queued before links were personal: preferences only
        return ListLinks(one_click_url=None, page_url=preferences, preferences_url=preferences)
    token = quote(unsubscribe_token(secret, UUID(str(account)), topic))
    return ListLinks(
        one_click_url=f"{portal}/api/notifier/unsubscribe?token={token}",
        page_url=f"{portal}/unsubscribe?token={token}",
        preferences_url=preferences,
    )
