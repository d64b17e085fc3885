"""Mail rendering: Jinja2 templates translated with gettext catalogs compiled at import.

Each mail kind is a folder in `templates/` with `subject.txt`, `body.txt` and `body.html`
(the HTML extends `base.html`). Catalogs live as `.po` files in `locales/<xx_YY>/LC_MESSAGES/`
and are compiled in memory (Babel `read_po` + `write_mo`), so no generated `.mo` is committed
and a translation fix needs nothing but a restart.
"""

import html
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol, cast

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.i18n import LOCALES, Locale

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
LOCALES_DIR = HERE / "locales"
CATALOG_DIRS: dict[Locale, str] = {"zh-TW": "zh_TW", "zh-CN": "zh_CN", "en": "en", "ja": "ja"}
DOMAIN = "messages"
# Babel's Jinja2 extraction must see the same whitespace policy as rendering, or msgids differ.
EXTRACT_OPTIONS = {"trimmed": "true"}

MAIL_KINDS = (
    "verification",
    "email_change_confirmation",
    "account_exists",
    "welcome",
    "password_reset",
    "sign_in_unlock",
    "email_changed",
    "release",
    "case_opened",
    "case_answered",
    "case_new_staff",
    "case_customer_reply",
    "case_sla_breached",
    "renewal_reminder",
    "mailbox_auto_reply",
    "organization_invitation",
    "two_step_changed",
    "account_closed",
)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def po_path(locale: Locale) -> Path:
    return LOCALES_DIR / CATALOG_DIRS[locale] / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_translations(locale: Locale) -> Translations:
    with po_path(locale).open("rb") as po_file:
        catalog = read_po(po_file, locale=CATALOG_DIRS[locale], domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


class GettextEnvironment(Protocol):
    """What `jinja2.ext.i18n` adds to an environment it extends (at runtime, so the type
    stubs of `Environment` do not show it)."""

    def install_gettext_translations(
        self, translations: Translations, newstyle: bool | None = None
    ) -> None: ...


@cache
def environment(locale: Locale) -> Environment:
    """One environment per language: the translations are installed once, not per render."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,  # a missing context field is a bug, not an empty string in a mail
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    # Dates in the reader's language ("2026年3月31日", "March 31, 2026"); context dates are ISO.
    env.filters["long_date"] = lambda value: format_date(
        date.fromisoformat(str(value)), format="long", locale=CATALOG_DIRS[locale]
    )
    cast(GettextEnvironment, env).install_gettext_translations(load_translations(locale), newstyle=True)
    return env


def load_all_catalogs() -> None:
    """Compile every catalog now (at startup), so a broken .po stops the process, not a mail."""
    for locale in LOCALES:
        environment(locale)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# The recipient's name and their unsubscribe link are the only per-user fields of a mass mail.
# Templates are rendered once per (kind, language, shared context) with placeholders for them,
# and the values are put in afterwards (HTML-escaped in the HTML part): a release announcement to
# 10,000 users renders its templates four times, not 10,000. Templates must therefore use these
# fields only plainly, as `{{ name }}` / `{{ unsubscribe_url }}`.
NAME_PLACEHOLDER = "\u2063RECIPIENT-NAME\u2063"
PERSONAL_FIELDS = {"name": NAME_PLACEHOLDER, "unsubscribe_url": "\u2063UNSUBSCRIBE-URL\u2063"}
# Fields only the links are computed from; no template shows them.
_LINK_SOURCES = ("account_id",)


def shared_key(context: dict[str, Any]) -> str:
    """What identifies a rendered template: the context without the personal fields, as
    canonical JSON. A caller sending many mails of one context may compute it once and pass it
    to `render` (it must be this function's value for that context)."""
    shared = {k: v for k, v in context.items() if k not in PERSONAL_FIELDS and k not in _LINK_SOURCES}
    return json.dumps(shared, sort_keys=True, default=str)


def render(kind: str, locale: Locale, context: dict[str, Any], key: str | None = None) -> RenderedMail:
    """The mail in `locale`. `key`: `shared_key(context)`, if the caller already has it."""
    if kind not in MAIL_KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    personal = {"name": str(context.get("name", ""))}
    if "unsubscribe_url" in context:
        personal["unsubscribe_url"] = str(context["unsubscribe_url"])
    template = _render_cached(kind, locale, key if key is not None else shared_key(context), tuple(personal))
    subject, text, html_part = template.subject, template.text, template.html
    for field, value in personal.items():
        placeholder = PERSONAL_FIELDS[field]
        subject = subject.replace(placeholder, value)
        text = text.replace(placeholder, value)
        html_part = html_part.replace(placeholder, html.escape(value))
    return RenderedMail(subject=subject, text=text, html=html_part)


@lru_cache(maxsize=512)
def _render_cached(kind: str, locale: Locale, shared_json: str, personal: tuple[str, ...]) -> RenderedMail:
    return _render(kind, locale, {**json.loads(shared_json), **{k: PERSONAL_FIELDS[k] for k in personal}})


def _render(kind: str, locale: Locale, context: dict[str, Any]) -> RenderedMail:
    env = environment(locale)
    values = {**context, "locale": locale}
    subject = _one_line(env.get_template(f"{kind}/subject.txt").render(values))
    values["subject"] = subject
    text = env.get_template(f"{kind}/body.txt").render(values).strip() + "\n"
    html_part = env.get_template(f"{kind}/body.html").render(values)
    return RenderedMail(subject=subject, text=re.sub(r"\n{3,}", "\n\n", text), html=html_part)
