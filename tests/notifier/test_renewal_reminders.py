"""Renewal reminders on the real stack: the notifier's own pass (services.notifier.reminders)
runs here against its PostgreSQL database with the clock frozen on chosen business days; the
queued mails are sent by the running notifier to Mailpit.

Coverage ends in 2025 so the running service's own hourly pass (on today's date) never sees
these licenses.
"""

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifier import preferences
from services.notifier.config import Settings
from services.notifier.reminders import REMINDER_LOCK_KEY, run_pass
from shared import clock
from shared.db import make_engine, make_sessionmaker, transaction
from tests.conftest import database_url
from tests.events import EventPublisher, serial_of
from tests.kit import Mailpit, eventually
from tests.notifier.conftest import NotifierDb, People
from tests.notifier.mails import read_mail

TAIPEI = ZoneInfo("Asia/Taipei")
END = date(2025, 6, 30)


def morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), TAIPEI)


@pytest.fixture(scope="module")
def settings(stack: dict[str, Any]) -> Settings:
    env = stack["services"]["notifier"]["env"]
    return Settings(database_url=env["NOTIFIER_DATABASE_URL"], public_url=env["NOTIFIER_PUBLIC_URL"])


@pytest.fixture(scope="module")
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(settings.database_url, pool_size=2)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def pass_on(day: date, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> int | None:
    with clock.frozen_at(morning(day)):
        return await run_pass(sessions, settings)


async def reminders_of(db: NotifierDb, license_id: uuid.UUID) -> list[tuple[date, int]]:
    rows = await db.connection.fetch(
        "SELECT coverage_end, days_before FROM renewal_reminder WHERE license_id = $1 ORDER BY queued_at",
        license_id,
    )
    return [(r["coverage_end"], r["days_before"]) for r in rows]


async def test_reminders_at_60_and_30_days_then_none_after_a_renewal(
    events: EventPublisher,
    people: People,
    notifier_db: NotifierDb,
    mailpit: Mailpit,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    stack: dict[str, Any],
) -> None:
    holder = await people.verified_user("ja", prefix="renew")
    product = f"REN{uuid.uuid4().hex[:6].upper()}"
    license_id = await people.bind(holder.user_id, product, END - timedelta(days=365), END)
    serial = serial_of(license_id)

    assert await pass_on(END - timedelta(days=61), sessions, settings) is not None
    assert await reminders_of(notifier_db, license_id) == []

    await pass_on(END - timedelta(days=60), sessions, settings)
    assert await reminders_of(notifier_db, license_id) == [(END, 60)]
    mail = await read_mail(mailpit, (await mailpit.wait_for(holder.email, subject_contains=product))[0])
    assert mail.subject == f"{product} の保守期間は 2025年6月30日 に終了します"
    assert serial in mail.text and "2025年6月30日" in mail.text and "残り日数: 60" in mail.text
    assert "空白期間の費用を払わずに済むよう" in mail.text  # the back-pay rule, in Japanese
    portal = settings.public_url.rstrip("/")
    assert f"{portal}/contracts" in mail.text and f"{portal}/preferences" in mail.text
    assert (mail.header("List-Unsubscribe") or "").startswith(f"<{portal}/api/notifier/unsubscribe?token=")
    assert mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"

    # Again the same day, and on a day between thresholds: nothing new.
    await pass_on(END - timedelta(days=60), sessions, settings)
    await pass_on(END - timedelta(days=45), sessions, settings)
    assert await reminders_of(notifier_db, license_id) == [(END, 60)]

    await pass_on(END - timedelta(days=30), sessions, settings)
    assert await reminders_of(notifier_db, license_id) == [(END, 60), (END, 30)]
    await mailpit.wait_for(holder.email, subject_contains=product, count=2)

    # A contract renews the coverage: the 7-day reminder of the old end is never sent.
    renewed_end = END + timedelta(days=365)
    await events.bind_contract(
        license_id, holder.user_id, product, END - timedelta(days=365), END + timedelta(days=1), renewed_end
    )

    async def renewed() -> bool:
        row = await notifier_db.holding(license_id)
        return bool(row and row["coverage_end"] == renewed_end)

    await eventually(renewed, what="renewal projected")
    await pass_on(END - timedelta(days=7), sessions, settings)
    await pass_on(END, sessions, settings)
    assert await reminders_of(notifier_db, license_id) == [(END, 60), (END, 30)]
    assert len(await mailpit.messages_to(holder.email)) == 2 + 1  # two reminders and the welcome


async def test_a_late_first_pass_sends_only_the_nearest_threshold(
    people: People,
    notifier_db: NotifierDb,
    mailpit: Mailpit,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    holder = await people.verified_user("zh-TW", prefix="late")
    product = f"LAT{uuid.uuid4().hex[:6].upper()}"
    license_id = await people.bind(holder.user_id, product, END - timedelta(days=365), END)

    await pass_on(END - timedelta(days=5), sessions, settings)  # the service was down for weeks
    assert await reminders_of(notifier_db, license_id) == [(END, 7)]
    mail = await read_mail(mailpit, (await mailpit.wait_for(holder.email, subject_contains=product))[0])
    assert mail.subject == f"您的 {product} 維護服務將於 2025年6月30日 到期"
    assert "剩餘天數: 5" in mail.text

    await pass_on(END + timedelta(days=1), sessions, settings)  # ended: no more reminders
    assert await reminders_of(notifier_db, license_id) == [(END, 7)]


async def test_no_reminder_for_an_opted_out_holder(
    people: People,
    notifier_db: NotifierDb,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    holder = await people.verified_user("en", prefix="optout")
    license_id = await people.bind(holder.user_id, "OPTOUT", END - timedelta(days=365), END)
    async with transaction(sessions) as session:
        await preferences.switch_off(session, holder.user_id, "renewal")

    await pass_on(END - timedelta(days=30), sessions, settings)
    assert await reminders_of(notifier_db, license_id) == []
    assert [d["kind"] for d in await notifier_db.deliveries_to(holder.email)] == ["welcome"]


async def test_only_one_replica_runs_a_pass_at_a_time(
    stack: dict[str, Any], sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    other_replica = await asyncpg.connect(database_url(stack, "notifier"))
    try:
        await other_replica.execute("SELECT pg_advisory_lock($1)", REMINDER_LOCK_KEY)
        assert await pass_on(END, sessions, settings) is None
        await other_replica.execute("SELECT pg_advisory_unlock($1)", REMINDER_LOCK_KEY)
        assert await pass_on(END, sessions, settings) is not None
    finally:
        await other_replica.close()


def test_reminder_days_are_configurable_and_checked() -> None:
    assert Settings(renewal_reminder_days=[7, 90, 30, 7]).renewal_reminder_days == [90, 30, 7]
    with pytest.raises(ValueError, match="between 0 and 366"):
        Settings(renewal_reminder_days=[30, -1])
