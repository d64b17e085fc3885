"""The MIME structure and headers of a sent mail."""

import uuid
from email.utils import parseaddr, parsedate_to_datetime

from tests.events import EventPublisher, account, password_reset_requested
from tests.kit import Mailpit, eventually, unique_email
from tests.notifier.conftest import NotifierDb
from tests.notifier.mails import only_mail_to


async def test_mail_headers_and_multipart_body(
    events: EventPublisher, mailpit: Mailpit, notifier_db: NotifierDb
) -> None:
    address = unique_email("headers")
    envelope = await events.publish(
        password_reset_requested(
            account(uuid.uuid4(), address, "陳小明", "zh-CN"), "http://portal.test/reset?token=h"
        )
    )
    mail = await only_mail_to(mailpit, address)

    async def sent_row() -> dict | None:
        rows = await notifier_db.deliveries(envelope.id)
        return rows[0] if rows and rows[0]["status"] == "sent" else None

    delivery = await eventually(sent_row, what="delivery marked sent")
    assert delivery["attempts"] == 1
    # Message-ID is derived from the delivery id: a resend after a crash is recognisable.
    assert mail.header("Message-ID") == f"<{delivery['id']}@example.com>"
    assert parseaddr(mail.header("From") or "")[1] == "support@example.com"
    assert parsedate_to_datetime(mail.header("Date") or "").tzinfo is not None
    assert parseaddr(mail.header("To") or "")[1] == address
    assert mail.header("Content-Language") == "zh-CN"
    assert mail.header("Auto-Submitted") == "auto-generated"
    assert mail.header("List-Unsubscribe") is None  # only bulk (release) mail has one
    assert mail.subject == "重设您的密码"

    assert mail.mime.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in mail.mime.get_payload()}  # type: ignore[union-attr]
    assert set(parts) == {"text/plain", "text/html"}
    html = parts["text/html"].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert '<html lang="zh-CN">' in html
    assert "陈小明" not in html and "陳小明 您好：" in html  # the name as given, greeting translated
