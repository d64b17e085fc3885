"""Security notices from identity's events, read back from the real Mailpit in the account's
language: two-step sign-in turned on or off, recovery codes renewed or used, and the closing of
an account (mailed to the address it had, after every mail still queued for it is dropped)."""

import json
import re
import uuid

import pytest

from services.identity import events as identity_events
from shared.events.identity import TwoStepChange
from shared.i18n import Locale
from tests.events import PORTAL, EventPublisher, account
from tests.kit import Mailpit, unique_email
from tests.notifier.conftest import NotifierDb
from tests.notifier.mails import only_mail_to

GREETINGS = {"en": "Dear Ann,", "zh-TW": "Ann 您好：", "zh-CN": "Ann 您好：", "ja": "Ann 様"}


@pytest.mark.parametrize(
    ("locale", "change", "subject", "sentence"),
    [
        ("zh-TW", "enabled", "您的帳號已開啟兩步驟登入", "輸入密碼後還需輸入驗證器應用程式顯示的驗證碼"),
        ("zh-CN", "disabled", "您的帐号已关闭两步登录", "现在登录只需要密码"),
        (
            "en",
            "recovery_codes_renewed",
            "New recovery codes were created for your account",
            "The earlier recovery codes no longer work.",
        ),
        (
            "ja",
            "recovery_code_used",
            "リカバリーコードを使ってアカウントにサインインがありました",
            "未使用のリカバリーコード：残り 7 個",
        ),
        (
            "en",
            "recovery_code_used",
            "A recovery code was used to sign in to your account",
            "Unused recovery codes left: 7.",
        ),
    ],
)
async def test_two_step_changes_are_told_in_the_accounts_language(
    events: EventPublisher,
    mailpit: Mailpit,
    locale: Locale,
    change: TwoStepChange,
    subject: str,
    sentence: str,
) -> None:
    address = unique_email("twostep")
    await events.publish(
        identity_events.two_step_changed(account(uuid.uuid4(), address, "Ann", locale), change, 7)
    )
    mail = await only_mail_to(mailpit, address)
    assert mail.subject == subject
    assert mail.text.startswith(GREETINGS[locale])
    assert sentence in mail.text and sentence in mail.html
    # The portal's account page, where two-step sign-in and sessions are reviewed.
    assert re.search(r"^https?://\S+/account$", mail.text, re.MULTILINE)
    assert re.search(r'href="https?://\S+/account"', mail.html)
    assert mail.header("Content-Language") == locale


@pytest.mark.parametrize(
    ("locale", "subject", "sentence"),
    [
        ("zh-TW", "您的帳號已關閉", "這是我們就此帳號寄出的最後一封郵件"),
        ("zh-CN", "您的帐号已关闭", "这是我们就此帐号发送的最后一封邮件"),
        ("en", "Your account was closed", "This is the last mail we send about this account."),
        ("ja", "アカウントを閉鎖しました", "このアカウントについてお送りするメールはこれが最後です"),
    ],
)
async def test_a_closed_account_is_told_at_the_address_it_had(
    events: EventPublisher, mailpit: Mailpit, locale: Locale, subject: str, sentence: str
) -> None:
    address = unique_email("closed")
    await events.publish(identity_events.account_closed(account(uuid.uuid4(), address, "Ann", locale)))
    mail = await only_mail_to(mailpit, address)
    assert mail.subject == subject
    assert mail.text.startswith(GREETINGS[locale])
    assert sentence in mail.text and sentence in mail.html


async def _queue_backing_off(notifier_db: NotifierDb, address: str, status: str = "pending") -> uuid.UUID:
    """A mail still waiting for its address (its last attempt failed; the next is an hour away),
    or one already sent or given up (`status`)."""
    delivery_id = uuid.uuid4()
    await notifier_db.connection.execute(
        "INSERT INTO delivery (id, event_id, email, kind, locale, context, attempts, next_attempt_at, status) "
        "VALUES ($1, $2, $3, 'welcome', 'en', $4, 1, now() + interval '1 hour', $5)",
        delivery_id,
        uuid.uuid4(),
        address,
        json.dumps({"name": "Ann", "portal_url": PORTAL}),
        status,
    )
    return delivery_id


async def test_closing_drops_every_mail_queued_for_the_account_and_forgets_its_address(
    events: EventPublisher, mailpit: Mailpit, notifier_db: NotifierDb
) -> None:
    address, neighbour = unique_email("closing"), unique_email("neighbour")
    await _queue_backing_off(notifier_db, address.upper())  # addresses compare case-blind
    await _queue_backing_off(notifier_db, address)
    await _queue_backing_off(notifier_db, address, status="sent")
    await _queue_backing_off(notifier_db, address, status="failed")
    kept = await _queue_backing_off(notifier_db, neighbour)

    envelope = await events.publish(
        identity_events.account_closed(account(uuid.uuid4(), address, "Ann", "en"))
    )
    mail = await only_mail_to(mailpit, address)
    assert mail.subject == "Your account was closed"
    # The confirmation's row is the only one left that holds the address.
    left = await notifier_db.deliveries_to(address) + await notifier_db.deliveries_to(address.upper())
    assert [(d["kind"], d["event_id"]) for d in left] == [("account_closed", envelope.id)]
    [other] = await notifier_db.deliveries_to(neighbour)
    assert other["id"] == kept and other["status"] == "pending"
