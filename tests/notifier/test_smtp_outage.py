"""Mail survives an SMTP outage and is sent exactly once when the server is back."""

import uuid
from typing import Any

from tests.events import EventPublisher, account, password_reset_requested
from tests.kit import Mailpit, eventually, unique_email
from tests.notifier.conftest import NotifierDb


async def test_mail_waits_out_an_smtp_outage(
    events: EventPublisher, mailpit: Mailpit, notifier_db: NotifierDb, stack_control: Any
) -> None:
    address = unique_email("outage")
    stack_control.stop("mailpit")
    try:
        envelope = await events.publish(
            password_reset_requested(
                account(uuid.uuid4(), address, "Ann", "ja"), "http://portal.test/reset?token=outage"
            )
        )

        async def failed_attempt() -> dict[str, Any] | None:
            rows = await notifier_db.deliveries(envelope.id)
            return rows[0] if rows and rows[0]["attempts"] > 0 else None

        delivery = await eventually(failed_attempt, what="a failed send attempt")
        assert delivery["status"] == "pending"
        assert delivery["last_error"]
        assert delivery["next_attempt_at"] > delivery["created_at"]  # backing off, not spinning
    finally:
        stack_control.start("mailpit")

    found = await mailpit.wait_for(address, timeout=90)
    assert len(found) == 1
    assert found[0]["Subject"] == "パスワードの再設定"

    async def sent() -> dict[str, Any] | None:
        rows = await notifier_db.deliveries(envelope.id)
        return rows[0] if rows and rows[0]["status"] == "sent" else None

    row = await eventually(sent, what="delivery marked sent")
    assert row["attempts"] >= 2
    assert len(await mailpit.messages_to(address)) == 1
