"""The mail catalogs are complete and every mail renders in every language (no stack)."""

from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.notifier.rendering import (
    CATALOG_DIRS,
    EXTRACT_OPTIONS,
    MAIL_KINDS,
    TEMPLATES_DIR,
    po_path,
    render,
)
from shared.i18n import LOCALES, Locale

CONTEXTS: dict[str, dict[str, Any]] = {
    "verification": {"verify_url": "http://p/verify?token=t", "expires_in_hours": 24},
    "email_change_confirmation": {"verify_url": "http://p/verify?token=t", "expires_in_hours": 24},
    "account_exists": {"sign_in_url": "http://p/login", "reset_url": "http://p/reset"},
    "welcome": {},
    "password_reset": {"reset_url": "http://p/reset?token=t", "expires_in_minutes": 60},
    "sign_in_unlock": {"unlock_url": "http://p/unlock?token=t", "failures": 5, "expires_in_hours": 24},
    "email_changed": {"new_email": "new@example.com"},
    "release": {
        "product": "OMFLOW",
        "version": "5.2.1",
        "kind": "update",
        "title": "Security update <b>&</b>",
        "notes": "Fixes CVE-1",
        "release_url": "http://p/downloads/updates?release=1",
        "unsubscribe_url": "http://p/unsubscribe?token=t",
        "preferences_url": "http://p/preferences",
    },
    "case_opened": {"number": "C-1", "subject_line": "Log", "product": "OMFLOW", "case_url": "http://p/c"},
    "case_answered": {"number": "C-1", "reply": "See <b>&</b> the answer", "case_url": "http://p/c"},
    "case_new_staff": {
        "number": "C-1",
        "subject_line": "Log <b>&</b>",
        "product": "OMFLOW",
        "severity": "high",
        "category": "bug",
        "case_url": "http://p/desk/cases/1",
    },
    "case_customer_reply": {"number": "C-1", "reply": "Here <b>&</b> it is", "case_url": "http://p/desk/c"},
    "case_sla_breached": {
        "number": "C-1",
        "target": "first_response",
        "severity": "critical",
        "due_at": "2026-12-07 01:00 UTC",
        "case_url": "http://p/desk/cases/1",
    },
    "renewal_reminder": {
        "product": "OMFLOW <b>&</b>",
        "serial": "SN-1",
        "coverage_end": "2026-03-31",
        "days_left": 30,
        "renew_url": "http://p/contracts",
        "unsubscribe_url": "http://p/unsubscribe?token=t",
        "preferences_url": "http://p/preferences",
    },
    "mailbox_auto_reply": {
        "reason": "choose_product",
        "subject_line": "Scheduler <b>&</b> stops",
        "products": ["OMFLOW", "OMBOT"],
        "action_url": "http://p/cases/new",
    },
    "organization_invitation": {
        "organization_name": "Acme <b>&</b> Co",
        "inviter_name": "Mei",
        "accept_url": "http://p/organization/join?token=t",
        "expires_in_hours": 72,
    },
    "two_step_changed": {
        "change": "recovery_code_used",
        "recovery_codes_left": 7,
        "account_url": "http://p/account",
    },
    "account_closed": {},
}


def template_msgids() -> set[str]:
    method_map = [("**.html", "jinja2"), ("**.txt", "jinja2")]
    options = {"**.html": EXTRACT_OPTIONS, "**.txt": EXTRACT_OPTIONS}
    found: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(TEMPLATES_DIR), method_map=method_map, options_map=options
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_templates_use_translatable_text() -> None:
    assert len(template_msgids()) > 30


@pytest.mark.parametrize("locale", LOCALES)
def test_every_template_message_is_translated(locale: Locale) -> None:
    path: Path = po_path(locale)
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=CATALOG_DIRS[locale])
    missing = [m for m in sorted(template_msgids()) if m not in catalog]
    assert not missing, f"{path} lacks msgids: {missing}"
    untranslated = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert not untranslated, f"{path} has untranslated or fuzzy entries: {untranslated}"
    if locale != "en":
        same = [m.id for m in catalog if m.id and m.string == m.id and "%(" not in str(m.id)]
        assert not same, f"{path} copies English instead of translating: {same}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", MAIL_KINDS)
def test_every_mail_renders_in_every_language(kind: str, locale: Locale) -> None:
    mail = render(kind, locale, {"name": "Ann", "portal_url": "http://p", **CONTEXTS[kind]})
    assert mail.subject and "\n" not in mail.subject
    assert mail.text.startswith("Ann") or mail.text.startswith("Dear Ann")
    assert f'<html lang="{locale}">' in mail.html
    # Autoescaping: a release title cannot inject markup into the HTML part.
    assert "<b>&</b>" not in mail.html


def test_translations_differ_between_languages() -> None:
    subjects = {
        locale: render("welcome", locale, {"name": "A", "portal_url": "p"}).subject for locale in LOCALES
    }
    assert len(set(subjects.values())) == 4, subjects


def test_the_recipient_name_is_personalised_and_escaped() -> None:
    context = {"portal_url": "http://p", **CONTEXTS["release"]}
    ann = render("release", "en", {**context, "name": "Ann"})
    evil = render("release", "en", {**context, "name": "<script>x</script> & Co"})
    assert ann.text.startswith("Dear Ann,")
    assert evil.text.startswith("Dear <script>x</script> & Co,")
    assert "<script>" not in evil.html and "&lt;script&gt;x&lt;/script&gt; &amp; Co" in evil.html
    assert "RECIPIENT-NAME" not in ann.text + ann.html + evil.text + evil.html


def test_the_unsubscribe_link_is_personal_and_escaped() -> None:
    context = {"portal_url": "http://p", **CONTEXTS["release"]}
    ann = render("release", "en", {**context, "name": "Ann", "unsubscribe_url": "http://p/u?token=a&x=1"})
    bob = render("release", "en", {**context, "name": "Bob", "unsubscribe_url": "http://p/u?token=b"})
    assert "http://p/u?token=a&x=1" in ann.text and "http://p/u?token=b" not in ann.text
    assert 'href="http://p/u?token=a&amp;x=1"' in ann.html
    assert "http://p/u?token=b" in bob.text and "token=a" not in bob.text + bob.html
    assert "UNSUBSCRIBE-URL" not in ann.text + ann.html + bob.text + bob.html


@pytest.mark.parametrize(
    ("locale", "end"),
    [
        ("en", "March 31, 2026"),
        ("zh-TW", "2026年3月31日"),
        ("zh-CN", "2026年3月31日"),
        ("ja", "2026年3月31日"),
    ],
)
def test_the_renewal_reminder_names_the_end_date_in_the_readers_language(locale: Locale, end: str) -> None:
    mail = render(
        "renewal_reminder", locale, {"name": "Ann", "portal_url": "http://p", **CONTEXTS["renewal_reminder"]}
    )
    assert end in mail.subject and end in mail.text
    assert "SN-1" in mail.text and "http://p/contracts" in mail.text


@pytest.mark.parametrize("locale", LOCALES)
def test_each_two_step_change_has_its_own_subject_and_sentence(locale: Locale) -> None:
    changes = ("enabled", "disabled", "recovery_codes_renewed", "recovery_code_used")
    mails = [
        render(
            "two_step_changed",
            locale,
            {**CONTEXTS["two_step_changed"], "name": "Ann", "portal_url": "http://p", "change": change},
        )
        for change in changes
    ]
    assert len({mail.subject for mail in mails}) == 4
    assert len({mail.text.split("\n\n")[1] for mail in mails}) == 4
    assert "7" in mails[3].text and "7" not in mails[0].text
