"""The periodic sweep: resolved cases close by themselves once `auto_close_after` has passed,
a passed SLA due time is announced (`CaseSlaBreached`, once per due time), and uploads never
completed are removed.

Every replica runs it; `FOR UPDATE SKIP LOCKED` lets them share the work without closing a case
twice, and each batch is one transaction (its moves and events commit together).
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import events
from services.cases.attachment_storage import AttachmentStorage
from services.cases.attachments import remove_abandoned_uploads
from services.cases.config import Settings
from services.cases.events import announce
from services.cases.models import Case
from services.cases.workflow import ACTIVE, CaseRules, move
from shared import clock
from shared.db import transaction
from shared.logging import get_logger

log = get_logger(__name__)
BATCH = 200


async def close_stale_resolved(session: AsyncSession, rules: CaseRules, now: datetime) -> int:
    """Close up to one batch of cases resolved longer than the auto-close time ago."""
    stale = await session.execute(
        select(Case)
        .where(col(Case.status) == "resolved", col(Case.resolved_at) <= now - rules.auto_close_after)
        .order_by(col(Case.resolved_at))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    cases = list(stale.scalars())
    for case in cases:
        await move(session, case, "closed", actor_id=None, reason="auto_close", now=now, policy=rules.policy)
    await session.flush()
    return len(cases)


async def announce_breaches(session: AsyncSession, now: datetime) -> int:
    """Announce up to one batch of cases whose next due time passed and was not announced yet."""
    overdue = await session.execute(
        select(Case)
        .where(
            col(Case.status).in_(ACTIVE),
            col(Case.sla_due_at) <= now,
            col(Case.sla_breach_announced_for).is_distinct_from(col(Case.sla_due_at)),
        )
        .order_by(col(Case.sla_due_at))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    cases = list(overdue.scalars())
    for case in cases:
        case.sla_breach_announced_for = case.sla_due_at
        await announce(session, events.sla_breached(case))
    await session.flush()
    return len(cases)


async def _in_batches(
    sessions: async_sessionmaker[AsyncSession], step: Callable[[AsyncSession], Awaitable[int]]
) -> int:
    """Run `step` one transaction (one batch) at a time until a batch comes back short."""
    total = 0
    while True:
        async with transaction(sessions) as session:
            count = await step(session)
        total += count
        if count < BATCH:
            return total


async def sweep_once(sessions: async_sessionmaker[AsyncSession], rules: CaseRules) -> tuple[int, int]:
    """One round of both sweeps; returns (cases closed, breaches announced)."""
    closed = await _in_batches(sessions, lambda session: close_stale_resolved(session, rules, clock.now()))
    breached = await _in_batches(sessions, lambda session: announce_breaches(session, clock.now()))
    return closed, breached


async def sweep_uploads(
    sessions: async_sessionmaker[AsyncSession], storage: AttachmentStorage, settings: Settings
) -> int:
    older_than = timedelta(hours=settings.attachment_abandon_hours)
    return await _in_batches(
        sessions,
        lambda session: remove_abandoned_uploads(
            session, storage, older_than=older_than, now=clock.now(), limit=BATCH
        ),
    )


def sweep_task(settings: Settings):
    async def run(app: FastAPI) -> None:
        rules = settings.rules()
        while True:
            try:
                closed, breached = await sweep_once(app.state.sessions, rules)
                abandoned = await sweep_uploads(app.state.sessions, app.state.attachment_storage, settings)
                if closed or breached or abandoned:
                    log.info(
                        "case sweep", closed=closed, breaches_announced=breached, uploads_removed=abandoned
                    )
            except Exception as error:  # the database may be away: try again next round
                log.warning("auto-close sweep failed", error=repr(error))
            await asyncio.sleep(settings.sweep_interval_seconds)

    return run
