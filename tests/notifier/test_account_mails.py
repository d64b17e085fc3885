"""Account mails from identity's events, read back from the real Mailpit."""

import uuid

import pytest

from shared.i18n import Locale
from tests.events import (
    PORTAL,
    EventPublisher,
    account,
    account_exists_notice,
    password_reset_requested,
    profile_changed,
    unlock_offered,
    user_verified,
    verification_requested,
)
from tests.kit import Mailpit, unique_email
from tests.notifier.conftest import NotifierDb
from tests.notifier.mails import only_mail_to

VERIFY_SUBJECTS = {
    "en": "Confirm your email address",
    "zh-TW": "請確認您的電子郵件地址",
    "zh-CN": "请确认您的电子邮件地址",
    "ja": "メールアドレスの確認",
}
GREETINGS = {"en": "Dear Ann,", "zh-TW": "Ann 您好：", "zh-CN": "Ann 您好：", "ja": "Ann 様"}


@pytest.mark.parametrize("locale", ["zh-TW", "zh-CN", "en", "ja"])
async def test_verification_mail_in_the_users_language(
    events: EventPublisher, mailpit: Mailpit, locale: Locale
) -> None:
    address = unique_email("verify")
    verify_url = f"http://portal.test/verify?token={uuid.uuid4().hex}"
    await events.publish(
        verification_requested(account(uuid.uuid4(), address, "Ann", locale), verify_url, hours=24)
    )
    mail = await only_mail_to(mailpit, address)
    assert mail.subject == VERIFY_SUBJECTS[locale]
    assert mail.text.startswith(GREETINGS[locale])
    assert verify_url in mail.text
    assert f'href="{verify_url}"' in mail.html
    assert "24" in mail.text
    assert mail.header("Content-Language") == locale


@pytest.mark.parametrize(
    ("locale", "subject", "expiry"),
    [
        ("en", "Confirm your new email address", "expires in 48 hours"),
        ("ja", "新しいメールアドレスの確認", "48 時間"),
    ],
)
async def test_email_change_asks_to_confirm_the_new_address(
    events: EventPublisher, mailpit: Mailpit, locale: Locale, subject: str, expiry: str
) -> None:
    address = unique_email("newaddr")
    await events.publish(
        verification_requested(
            account(uuid.uuid4(), address, "Ann", locale),
            "http://portal.test/verify?token=change",
            hours=48,
            reason="email_change",
        )
    )
    mail = await only_mail_to(mailpit, address)
    assert mail.subject == subject
    assert expiry in mail.text
    assert "http://portal.test/verify?token=change" in mail.text


@pytest.mark.parametrize(
    ("locale", "subject", "ignore_hint"),
    [
        ("zh-CN", "有人尝试以您的电子邮件地址注册", "如果这不是您本人的操作"),
        ("en", "Someone tried to register with your email address", "If it wasn't you, ignore this message"),
    ],
)
async def test_account_exists_notice_has_sign_in_and_reset_links(
    events: EventPublisher, mailpit: Mailpit, locale: Locale, subject: str, ignore_hint: str
) -> None:
    address = unique_email("exists")
    await events.publish(account_exists_notice(account(uuid.uuid4(), address, "Ann", locale)))
    mail = await only_mail_to(mailpit, address)
    assert mail.subject == subject
    assert f"{PORTAL}/login" in mail.text
    assert f"{PORTAL}/forgot-password" in mail.text
    assert ignore_hint in mail.text


@pytest.mark.parametrize(
    ("locale", "subject", "expiry"),
    [("zh-TW", "重設您的密碼", "60 分鐘"), ("en", "Reset your password", "expires in 60 minutes")],
)
async def test_password_reset_mail(
    events: EventPublisher, mailpit: Mailpit, locale: Locale, subject: str, expiry: str
) -> None:
    address = unique_email("reset")
    await events.publish(
        password_reset_requested(
            account(uuid.uuid4(), address, "Ann", locale), "http://portal.test/reset?token=abc", minutes=60
        )
    )
    mail = await only_mail_to(mailpit, address)
    assert mail.subject == subject
    assert expiry in mail.text
    assert "http://portal.test/reset?token=abc" in mail.text


@pytest.mark.parametrize(
    ("locale", "subject", "count"),
    [
        ("zh-TW", "您的帳戶有密碼輸入錯誤：解除登入限制", "7 次"),
        ("zh-CN", "您的账户有密码输入错误：解除登录限制", "7 次"),
        ("en", "Wrong passwords for your account: unlock sign-in", "7 times"),
        ("ja", "アカウントのパスワード誤入力：サインインのロック解除", "7 回"),
    ],
)
async def test_sign_in_unlock_mail_carries_the_one_time_link(
    events: EventPublisher, mailpit: Mailpit, locale: Locale, subject: str, count: str
) -> None:
    address = unique_email("unlock")
    unlock_url = f"http://portal.test/unlock?token={uuid.uuid4().hex}"
    await events.publish(
        unlock_offered(account(uuid.uuid4(), address, "Ann", locale), unlock_url, 7, hours=24)
    )
    mail = await only_mail_to(mailpit, address)
    assert mail.subject == subject
    assert mail.text.startswith(GREETINGS[locale])
    assert count in mail.text and "24" in mail.text
    assert unlock_url in mail.text and f'href="{unlock_url}"' in mail.html


async def test_welcome_is_sent_once_per_account_however_verified(
    events: EventPublisher, mailpit: Mailpit, notifier_db: NotifierDb
) -> None:
    user = user_verified(uuid.uuid4(), unique_email("welcome"), "Ann", "zh-TW")
    await events.publish(user)
    # Staff verify the same account later (a second, distinct event): no second welcome.
    await events.publish(user.model_copy(update={"verified_by": "staff"}))
    # A marker on the same key (same partition, so consumed after both) tells us they were handled.
    marker = password_reset_requested(
        account(user.user_id, user.email, user.name, user.locale), "http://portal.test/reset?token=marker"
    )
    await events.publish(marker)
    await mailpit.wait_for(user.email, count=2)
    mails = await mailpit.messages_to(user.email)
    assert sorted(m["Subject"] for m in mails) == sorted(["歡迎使用技術支援網站", "重設您的密碼"])
    assert [d["kind"] for d in await notifier_db.deliveries_to(user.email)].count("welcome") == 1


async def test_staff_verified_account_gets_a_welcome(events: EventPublisher, mailpit: Mailpit) -> None:
    user = user_verified(uuid.uuid4(), unique_email("staffok"), "Ann", "ja", by="staff")
    await events.publish(user)
    mail = await only_mail_to(mailpit, user.email)
    assert mail.subject == "サポートポータルへようこそ"
    assert "個人情報 / 製品ライセンス" in mail.text  # the portal's own menu labels


@pytest.mark.parametrize(
    ("locale", "subject"),
    [
        ("ja", "アカウントのメールアドレスが変更されました"),
        ("en", "The email address of your account was changed"),
    ],
)
async def test_email_change_notice_goes_to_the_old_address(
    events: EventPublisher, mailpit: Mailpit, notifier_db: NotifierDb, locale: Locale, subject: str
) -> None:
    old, new = unique_email("old"), unique_email("new")
    event = profile_changed(uuid.uuid4(), new, "Ann", locale, previous_email=old)
    envelope = await events.publish(event)
    mail = await only_mail_to(mailpit, old)
    assert mail.subject == subject
    assert new in mail.text
    deliveries = await notifier_db.deliveries(envelope.id)
    assert [(d["email"], d["kind"]) for d in deliveries] == [(old, "email_changed")]


async def test_the_same_event_delivered_twice_is_mailed_once(
    events: EventPublisher, mailpit: Mailpit, notifier_db: NotifierDb
) -> None:
    user = account(uuid.uuid4(), unique_email("twice"), "Ann", "en")
    address = user.email
    event = password_reset_requested(user, "http://portal.test/reset?token=twice")
    envelope = await events.publish(event)
    await events.publish_envelope(envelope)  # Kafka redelivery: same envelope id
    marker = account_exists_notice(user)
    await events.publish(marker)  # same key → consumed after the duplicate
    await mailpit.wait_for(address, count=2)
    subjects = sorted(m["Subject"] for m in await mailpit.messages_to(address))
    assert subjects == ["Reset your password", "Someone tried to register with your email address"]
    assert len(await notifier_db.deliveries(envelope.id)) == 1
