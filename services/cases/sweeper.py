"""The auto-close sweep: resolved cases close by themselves once `auto_close_after` has passed.

Every replica runs it; `FOR UPDATE SKIP LOCKED` lets them share the work without closing a case
twice, and each batch is one transaction (its moves and events commit together).
"""

import asyncio
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import clock
from services.cases.config import Settings
from services.cases.models import Case
from services.cases.workflow import CaseRules, move
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


async def sweep_once(sessions: async_sessionmaker[AsyncSession], rules: CaseRules) -> int:
    closed = 0
    while True:
        async with transaction(sessions) as session:
            count = await close_stale_resolved(session, rules, clock.now())
        closed += count
        if count < BATCH:
            return closed


def auto_close_task(settings: Settings):
    async def run(app: FastAPI) -> None:
        rules = settings.rules()
        while True:
            try:
                closed = await sweep_once(app.state.sessions, rules)
                if closed:
                    log.info("resolved cases closed automatically", closed=closed)
            except Exception as error:  # the database may be away: try again next round
                log.warning("auto-close sweep failed", error=repr(error))
            await asyncio.sleep(settings.sweep_interval_seconds)

    return run
