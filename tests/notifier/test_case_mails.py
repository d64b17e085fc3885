"""Case mails: an acknowledgement when a case is opened, a notice when staff answer."""

import uuid

from shared.events import CaseOpened, CaseUpdated
from tests.kit import Mailpit
from tests.notifier.conftest import Events, NotifierDb, People
from tests.notifier.mails import only_mail_to


async def test_case_opened_and_answered_mails(
    events: Events, people: People, notifier_db: NotifierDb, mailpit: Mailpit
) -> None:
    customer = await people.verified_user("zh-TW", name="林美華", prefix="case")
    await mailpit.wait_for(customer.email)  # the welcome mail
    case_id = uuid.uuid4()
    await events.publish(
        CaseOpened(
            case_id=case_id,
            number="C-2026-0042",
            account_id=customer.user_id,
            license_id=uuid.uuid4(),
            product="OMFLOW",
            category="log_interpretation",
            subject_line="Flow engine log shows timeouts",
        )
    )
    opened = await only_mail_to(mailpit, customer.email, subject_contains="C-2026-0042")
    assert opened.subject == "我們已收到您的案件 C-2026-0042"
    assert "Flow engine log shows timeouts" in opened.text
    assert "案件處理 / 管理案件" in opened.text
    assert opened.text.startswith("林美華 您好：")

    # The customer's own reply causes no mail; the staff answer does (same key: ordered).
    customer_reply = await events.publish(
        CaseUpdated(
            case_id=case_id,
            number="C-2026-0042",
            account_id=customer.user_id,
            status="waiting_on_support",
            by_staff=False,
        )
    )
    await events.publish(
        CaseUpdated(
            case_id=case_id,
            number="C-2026-0042",
            account_id=customer.user_id,
            status="waiting_on_customer",
            by_staff=True,
            summary="Please raise the engine timeout to 60 s.",
        )
    )
    answered = await only_mail_to(mailpit, customer.email, subject_contains="已有回覆")
    assert answered.subject == "您的案件 C-2026-0042 已有回覆"
    assert "Please raise the engine timeout to 60 s." in answered.text
    assert await notifier_db.consumed(customer_reply.id)
    assert await notifier_db.deliveries(customer_reply.id) == []
    assert len(await mailpit.messages_to(customer.email)) == 3  # welcome, opened, answered
