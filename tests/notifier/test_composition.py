"""The mail bytes written directly equal the `compat32` MIME classes' (pure: no stack)."""

import re
import uuid
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import Header
from email.message import Message
from typing import Any

import pytest

from services.notifier.composition import ThreadHeaders, _header_line, compose, compose_generic
from services.notifier.rendering import render
from shared.i18n import LOCALES, Locale
from tests.notifier.test_catalogs import CONTEXTS

NOW = datetime(2026, 3, 31, 9, 30, tzinfo=UTC)
BOUNDARY = re.compile(rb'boundary="([^"]+)"')


def _release_fields(locale: Locale, name: str) -> dict[str, Any]:
    context = {"portal_url": "http://p", **CONTEXTS["release"], "name": name}
    return {
        "delivery_id": uuid.uuid4(),
        "kind": "release",
        "locale": locale,
        "to_email": "reader@customer.test",
        "to_name": name,
        "rendered": render("release", locale, context),
        "mail_from": "Support Portal <support@vendor.test>",
        "reply_to": "Help desk <help@vendor.test>",
        "one_click_unsubscribe_url": "http://p/api/notifier/unsubscribe?token=" + "t" * 120,
        "now": NOW,
    }


def _same_boundary(direct: bytes, generic: bytes) -> bytes:
    """The generic path draws its boundary at random; put the direct path's in its place."""
    ours, theirs = BOUNDARY.search(direct), BOUNDARY.search(generic)
    assert ours and theirs
    return generic.replace(theirs.group(1), ours.group(1))


def _parts(message: Message) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in message.get_payload():
        assert isinstance(part, Message)
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        parts[part.get_content_type()] = payload.decode(part.get_content_charset() or "ascii")
    return parts


NAMES = {"zh-TW": "陳小明", "zh-CN": "陈小明", "en": "Ann O'Neil", "ja": "山田 太郎" * 8}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_direct_bytes_are_the_mime_classes_bytes(locale: Locale) -> None:
    fields = _release_fields(locale, NAMES[locale])
    direct, generic = compose(**fields), compose_generic(**fields)
    assert direct.data == _same_boundary(direct.data, generic.data)
    assert (direct.sender, direct.recipient, direct.message_id) == (
        generic.sender,
        generic.recipient,
        generic.message_id,
    )

    ours, theirs = message_from_bytes(direct.data), message_from_bytes(generic.data)
    assert list(ours) == list(theirs)  # the same header names in the same order
    for key in ours:
        if key != "Content-Type":  # the boundary parameter differs, as checked above
            assert ours[key] == theirs[key], key
    assert ours.get_content_type() == "multipart/alternative"
    assert ours["Message-ID"] == f"<{fields['delivery_id']}@vendor.test>"
    assert ours["List-Unsubscribe"].strip() == f"<{fields['one_click_unsubscribe_url']}>"
    assert ours["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = _parts(ours)
    assert parts == _parts(theirs)
    assert parts["text/plain"] == fields["rendered"].text and parts["text/html"] == fields["rendered"].html
    assert NAMES[locale] in parts["text/plain"]


def test_thread_headers_and_a_long_folded_subject_match_too() -> None:
    fields = _release_fields("ja", "Ann")
    fields["rendered"] = render(
        "case_answered", "ja", {"name": "Ann", "portal_url": "http://p", **CONTEXTS["case_answered"]}
    )
    fields["rendered"] = type(fields["rendered"])(
        subject="長い件名 " * 12, text=fields["rendered"].text, html=fields["rendered"].html
    )
    fields.update(kind="case_answered", one_click_unsubscribe_url=None)
    fields["thread"] = ThreadHeaders(
        reply_to="Support <help+case-" + "x" * 60 + "@vendor.test>",
        message_id="<" + "m" * 70 + "@vendor.test>",
        in_reply_to="<root@vendor.test>",
        references="<root@vendor.test>",
    )
    direct, generic = compose(**fields), compose_generic(**fields)
    assert direct.data == _same_boundary(direct.data, generic.data)
    assert "\n " in direct.data.decode().split("\n\n", 1)[0]  # long headers were folded
    assert direct.message_id == fields["thread"].message_id


def test_a_line_break_in_a_name_cannot_add_a_header() -> None:
    fields = _release_fields("en", "Ann\nBcc: victim@example.org")
    with pytest.raises(Exception, match="embedded header"):
        compose(**fields)
    with pytest.raises(Exception, match="embedded header"):
        compose_generic(**fields)


def test_an_address_without_a_name_that_is_not_ascii_is_written_the_same() -> None:
    fields = {**_release_fields("zh-TW", "x"), "to_name": None, "to_email": "陳@example.tw"}
    direct, generic = compose(**fields), compose_generic(**fields)
    assert direct.data == _same_boundary(direct.data, generic.data)


def test_the_boundary_is_fixed_by_the_delivery() -> None:
    fields = _release_fields("en", "Ann")
    assert compose(**fields).data == compose(**fields).data


def test_an_unfoldable_header_value_is_written_as_compat32_writes_it() -> None:
    # A one-word ASCII value (List-Unsubscribe's URL) takes a fast path; over every length
    # around the folding width it equals what `Header` writes.
    word = "<http://p/api/notifier/unsubscribe?token=" + "aZ09-_.~%=?!()" * 30
    for length in range(1, 300):
        value = word[:length]
        for name in ("List-Unsubscribe", "Message-ID"):
            expected = Header(value, header_name=name).encode(linesep="\n", maxlinelen=78)
            assert _header_line(name, value) == f"{name}: {expected}\n", (name, length)
