"""The worker behind 'forgot password' and 'resend verification'.

The endpoints only queue a `mail_requests` row (the same work for every address) and answer;
this loop then looks the account up and, if there is one, mails it. An endpoint wakes the loop
once its answer is out; a slow poll picks up requests another replica queued, or that waited
through a restart.
"""

import asyncio
import contextlib

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import accounts, core
from shared.db import transaction
from shared.logging import get_logger

log = get_logger(__name__)

POLL_SECONDS = 5.0
BATCH = 50


def _wakeup(app: FastAPI) -> asyncio.Event:
    if not hasattr(app.state, "mail_requests_wakeup"):
        app.state.mail_requests_wakeup = asyncio.Event()
    event: asyncio.Event = app.state.mail_requests_wakeup
    return event


def wake(app: FastAPI) -> None:
    _wakeup(app).set()


async def process_pending(sessions: async_sessionmaker[AsyncSession], deps: core.Deps) -> int:
    """Handle one batch of queued requests; the number handled (0: the queue is empty).
    SKIP LOCKED lets replicas share the queue without handling a request twice."""
    async with transaction(sessions) as session:
        rows = (
            await session.execute(
                text(
                    "SELECT id, kind, email FROM mail_requests WHERE processed_at IS NULL "
                    "ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED"
                ),
                {"batch": BATCH},
            )
        ).all()
        for row in rows:
            try:
                async with session.begin_nested():  # one bad request must not block the rest
                    if row.kind == "forgot":
                        await accounts.forgot_password(session, deps, row.email)
                    else:
                        await accounts.resend_verification(session, deps, row.email)
            except Exception as error:
                log.warning("mail request failed", request_id=row.id, kind=row.kind, error=repr(error))
            await session.execute(
                text("UPDATE mail_requests SET processed_at = now() WHERE id = :id"), {"id": row.id}
            )
        return len(rows)


async def run_forever(app: FastAPI) -> None:
    wakeup = _wakeup(app)
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), timeout=POLL_SECONDS)
        wakeup.clear()
        try:
            while await process_pending(app.state.sessions, app.state.identity) == BATCH:
                pass
        except Exception as error:  # the database may be away for a while: retry on the next round
            log.warning("mail request processing failed", error=repr(error))
