"""Renewal reminders: a mail some days before a license's coverage ends (default 60, 30, 7).

Why a periodic job inside the notifier, guarded by a PostgreSQL advisory lock, rather than a
Kubernetes CronJob: the notifier already owns everything the decision needs (the holdings
projection of licensing's events, the recipients, the preferences, the mail queue), so the job
is one set-wise statement on its own database; every replica runs the loop, and
`pg_try_advisory_xact_lock` lets exactly one of them do a pass at a time (the others skip it).
Nothing lives in memory: each pass looks at the whole window from the business date
(`shared.clock.today()`), so a restart or an hour of downtime only delays mail, and the
`renewal_reminder` key (license, coverage end, threshold) makes every pass idempotent even if
two ran. The same code runs locally and in Kubernetes, with no extra scheduler to deploy.

A renewal moves the coverage end in the projection; reminders are keyed by that end, so the old
end's remaining reminders are never sent. When a pass finds a license past several thresholds
(e.g. the service was down), only the nearest threshold is mailed: one mail, not three.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifier.config import Settings
from shared import clock
from shared.db import transaction
from shared.logging import get_logger

log = get_logger(__name__)

# Any constant unique among the notifier's advisory locks ("RENW").
REMINDER_LOCK_KEY = 0x52454E57

_QUEUE_DUE = text(
    """
    WITH due AS (
        SELECT h.license_id, h.coverage_end, h.account_id, h.product, h.serial,
               (SELECT min(t) FROM unnest(CAST(:thresholds AS int[])) AS t
                WHERE h.coverage_end - CAST(:today AS date) <= t) AS days_before,
               r.email, r.locale, r.name
        FROM holding h JOIN recipient r ON r.user_id = h.account_id
        WHERE NOT h.void AND NOT r.disabled
          AND h.coverage_end >= CAST(:today AS date)
          AND h.coverage_end <= CAST(:today AS date) + CAST(:max_days AS int)
          AND receives_mail(h.account_id, 'renewal')
    ), fresh AS (
        INSERT INTO renewal_reminder (license_id, coverage_end, days_before, account_id)
        SELECT license_id, coverage_end, days_before, account_id FROM due
        ON CONFLICT DO NOTHING
        RETURNING license_id, coverage_end, days_before
    )
    INSERT INTO delivery (id, event_id, email, kind, locale, context)
    SELECT gen_random_uuid(),
           CAST(md5('renewal/' || d.license_id || '/' || d.coverage_end || '/' || d.days_before) AS uuid),
           d.email, 'renewal_reminder', d.locale,
           jsonb_build_object(
               'name', d.name, 'account_id', d.account_id, 'portal_url', CAST(:portal AS text),
               'product', d.product, 'serial', COALESCE(d.serial, ''),
               'coverage_end', d.coverage_end, 'days_left', d.coverage_end - CAST(:today AS date),
               'renew_url', CAST(:portal AS text) || '/contracts')
    FROM fresh f JOIN due d USING (license_id, coverage_end, days_before)
    ON CONFLICT (event_id, email, kind) DO NOTHING
    """
)


async def queue_due_reminders(
    session: AsyncSession, *, today: date, thresholds: Sequence[int], portal_url: str
) -> int:
    """Queue every reminder due on `today` that was not queued before; returns how many."""
    result = await session.execute(
        _QUEUE_DUE,
        {
            "today": today,
            "thresholds": sorted(set(thresholds)),
            "max_days": max(thresholds),
            "portal": portal_url.rstrip("/"),
        },
    )
    return getattr(result, "rowcount", 0) or 0


async def run_pass(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> int | None:
    """One pass, if no other replica is doing one now (None: skipped, another holds the lock)."""
    async with transaction(sessions) as session:
        locked = await session.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": REMINDER_LOCK_KEY}
        )
        if not locked.scalar():
            return None
        return await queue_due_reminders(
            session,
            today=clock.today(),
            thresholds=settings.renewal_reminder_days,
            portal_url=settings.public_url,
        )


@dataclass(frozen=True)
class EndingHolding:
    license_id: UUID
    product: str
    serial: str | None
    coverage_end: date


async def ending_for(
    session: AsyncSession, account_id: UUID, *, today: date, within_days: int
) -> list[EndingHolding]:
    """An account's live licenses whose coverage ends within `within_days` (not yet ended)."""
    rows = await session.execute(
        text(
            """
            SELECT license_id, product, serial, coverage_end FROM holding
            WHERE account_id = :account_id AND NOT void
              AND coverage_end >= :today AND coverage_end <= :today + CAST(:within AS int)
            ORDER BY coverage_end, product
            """
        ),
        {"account_id": account_id, "today": today, "within": within_days},
    )
    return [EndingHolding(*row) for row in rows.all()]


def reminder_task(settings: Settings):
    """The background loop: a pass at start, then every `renewal_check_seconds`."""

    async def run(app: FastAPI) -> None:
        while True:
            try:
                queued = await run_pass(app.state.sessions, settings)
                if queued:
                    log.info("renewal reminders queued", queued=queued)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the loop must outlive a database outage
                log.warning("renewal reminder pass failed", error=repr(error))
            await asyncio.sleep(settings.renewal_check_seconds)

    return run
