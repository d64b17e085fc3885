"""Which mails carry unsubscribe links, and what the links say (pure logic, no stack)."""

import uuid
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from services.notifier.preferences import read_unsubscribe_token
from services.notifier.unsubscribe_links import links_for

SECRET = "test-secret"


@pytest.mark.parametrize(
    "kind", ["verification", "password_reset", "email_changed", "welcome", "case_opened", "case_answered"]
)
def test_account_and_case_mails_cannot_be_unsubscribed(kind: str) -> None:
    assert links_for(kind, {"account_id": str(uuid.uuid4())}, portal_url="http://p", secret=SECRET) is None


@pytest.mark.parametrize(
    ("kind", "context_topic", "topic"),
    [("release", "release.document", "release.document"), ("renewal_reminder", None, "renewal")],
)
def test_optional_mails_carry_a_token_for_their_own_topic(
    kind: str, context_topic: str | None, topic: str
) -> None:
    account = uuid.uuid4()
    context = {"account_id": str(account), "list_topic": context_topic}
    links = links_for(kind, context, portal_url="http://p/", secret=SECRET)
    assert links is not None and links.one_click_url is not None
    assert links.one_click_url.startswith("http://p/api/notifier/unsubscribe?token=")
    assert links.page_url.startswith("http://p/unsubscribe?token=")
    assert links.preferences_url == "http://p/preferences"
    token = unquote(parse_qs(urlsplit(links.one_click_url).query)["token"][0])
    assert read_unsubscribe_token(SECRET, token) == (account, topic)
    assert read_unsubscribe_token("another-secret", token) is None


def test_a_release_mail_queued_before_personal_links_points_at_the_preferences() -> None:
    links = links_for("release", {"list_topic": None}, portal_url="http://p", secret=SECRET)
    assert links is not None and links.one_click_url is None
    assert links.page_url == "http://p/preferences"
