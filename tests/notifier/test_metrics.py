"""The sender's counters are exposed on /metrics."""

import re
import uuid
from typing import Any

import httpx

from tests.events import EventPublisher, account, password_reset_requested
from tests.kit import Mailpit, eventually, unique_email


def sent_counter(metrics: str) -> float:
    match = re.search(r'^notifier_mails_sent_total\{kind="password_reset"\} ([0-9.e+]+)$', metrics, re.M)
    return float(match.group(1)) if match else 0.0


async def test_sent_mails_are_counted(
    events: EventPublisher, mailpit: Mailpit, stack: dict[str, Any]
) -> None:
    async with httpx.AsyncClient(base_url=stack["services"]["notifier"]["url"], timeout=10) as notifier:
        before = sent_counter((await notifier.get("/metrics")).text)
        address = unique_email("metrics")
        await events.publish(
            password_reset_requested(
                account(uuid.uuid4(), address, "Ann", "en"), "http://portal.test/reset?token=m"
            )
        )
        await mailpit.wait_for(address)

        async def counted() -> str | None:
            text = (await notifier.get("/metrics")).text
            return text if sent_counter(text) >= before + 1 else None

        metrics = await eventually(counted, what="sent counter incremented")
        assert "notifier_deliveries_pending" in metrics
        assert "notifier_mail_failed_attempts_total" in metrics
