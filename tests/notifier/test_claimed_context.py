"""The sender reads a delivery's context in two parts (the fan-out's shared part, parsed once per
distinct text, and the per-recipient fields): each mail must come out exactly as from the whole
context parsed per row. Real rows in the notifier's PostgreSQL, in a transaction rolled back, so
the running sender never sees them."""

import json
import re
import uuid
from typing import Any

import asyncpg

from services.notifier.composition import OutgoingMail, compose
from services.notifier.config import Settings
from services.notifier.rendering import render
from services.notifier.sender import CLAIMED_COLUMNS, MailSender
from services.notifier.thread_headers import thread_headers_for
from services.notifier.unsubscribe_links import links_for
from shared.i18n import as_locale
from tests.notifier.conftest import NotifierDb
from tests.notifier.test_catalogs import CONTEXTS

SETTINGS = Settings(
    secret_key="s3cret-for-links",
    public_url="http://portal.test",
    mail_from="Support Portal <support@vendor.test>",
    mail_reply_to="Help desk <help@vendor.test>",
    mail_token_secret="s3cret-for-cases",
    support_address="help@vendor.test",
)
RELEASE = {
    "portal_url": "http://portal.test",
    "product": "Atlas",
    "version": "4.2.0",
    "kind": "update",
    "title": "Faster reports",
    "notes": "Reports open in half the time.",
    "localized": {
        "en": {"title": "Faster reports", "notes": "Reports open in half the time."},
        "ja": {"title": "高速なレポート", "notes": "レポートが半分の時間で開きます。"},
    },
    "release_url": "http://portal.test/downloads/updates?release=1",
    "list_topic": "release.update",
}
CASE = str(uuid.uuid4())
DATE = re.compile(rb"^Date: .*\n", re.MULTILINE)


def _whole_context_mail(row: dict[str, Any], context: dict[str, Any]) -> OutgoingMail:
    """The mail as the sender made it when it parsed every row's whole context."""
    locale = as_locale(row["locale"])
    links = links_for(row["kind"], context, portal_url=SETTINGS.public_url, secret=SETTINGS.secret_key)
    if links is not None:
        context["unsubscribe_url"] = links.page_url
        context["preferences_url"] = links.preferences_url
    return compose(
        delivery_id=row["id"],
        kind=row["kind"],
        locale=locale,
        to_email=row["email"],
        to_name=context.get("name"),
        rendered=render(row["kind"], locale, context),
        mail_from=SETTINGS.mail_from,
        reply_to=SETTINGS.mail_reply_to,
        one_click_unsubscribe_url=links.one_click_url if links else None,
        thread=thread_headers_for(row["id"], context, SETTINGS),
    )


CASES: list[tuple[str, str, dict[str, Any]]] = [
    # Two readers of one release (the shared part parsed once, then found again), in two languages.
    ("release", "en", {**RELEASE, "name": "Ann", "account_id": str(uuid.uuid4())}),
    ("release", "ja", {**RELEASE, "name": "Bob <&>", "account_id": str(uuid.uuid4())}),
    ("release", "en", {**RELEASE, "name": "Cy", "account_id": str(uuid.uuid4())}),
    # Queued before links were personal: no account id, preferences link only.
    ("release", "en", {**RELEASE, "name": "Dee"}),
    ("welcome", "zh-TW", {"name": "Eve", "portal_url": "http://portal.test"}),
    # A name that is JSON null is not the same as no name at all.
    ("welcome", "en", {"name": None, "portal_url": "http://portal.test"}),
    (
        "case_opened",
        "ja",
        {"name": "Fay", "portal_url": "http://p", **CONTEXTS["case_opened"], "case_id": CASE},
    ),
    # The same shared part for a mail without list links, then for one with them (the sender
    # adds the preferences link to the context: another template key).
    ("welcome", "zh-CN", {"name": "Gus", "portal_url": "http://p", **CONTEXTS["renewal_reminder"]}),
    (
        "renewal_reminder",
        "zh-CN",
        {
            "name": "Gus",
            "portal_url": "http://p",
            **CONTEXTS["renewal_reminder"],
            "account_id": str(uuid.uuid4()),
        },
    ),
]


async def _claimed(connection: asyncpg.Connection, kind: str, locale: str, context: dict[str, Any]) -> Any:
    delivery_id = uuid.uuid4()
    await connection.execute(
        "INSERT INTO delivery (id, event_id, email, kind, locale, context, next_attempt_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, now() + interval '1 hour')",
        delivery_id,
        uuid.uuid4(),
        f"reader-{delivery_id.hex[:8]}@customer.test",
        kind,
        locale,
        json.dumps(context),
    )
    return await connection.fetchrow(f"SELECT {CLAIMED_COLUMNS} FROM delivery WHERE id = $1", delivery_id)  # noqa: S608 - constant columns


async def test_each_mail_is_what_its_whole_context_makes(notifier_db: NotifierDb) -> None:
    sender = MailSender(SETTINGS)
    connection = notifier_db.connection
    transaction = connection.transaction()
    await transaction.start()
    try:
        for _ in range(2):  # the second round finds every shared part cached
            for kind, locale, context in CASES:
                row = await _claimed(connection, kind, locale, context)
                ours = sender._message_for(row)
                reference = _whole_context_mail(dict(row), json.loads(json.dumps(context)))
                assert (ours.sender, ours.recipient, ours.message_id) == (
                    reference.sender,
                    reference.recipient,
                    reference.message_id,
                )
                assert DATE.sub(b"", ours.data) == DATE.sub(b"", reference.data)
                assert b"Date: " in ours.data
    finally:
        await transaction.rollback()
