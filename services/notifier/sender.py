"""The sender loop: claims due deliveries, renders and mails them, records the outcome.

Claims use `FOR UPDATE SKIP LOCKED` in small batches, so several replicas share the queue and
no row is mailed by two of them. The row stays locked while it is sent and is marked in the same
transaction: a crash between SMTP acceptance and commit re-sends it later with the same
Message-ID (at-least-once towards SMTP, recognisable; the delivery key makes it once per event).

On an SMTP failure the row stays pending with `attempts + 1` and an exponential backoff; a
connection failure (server down) is retried forever, so mail survives an outage and goes out
exactly once when the server is back. A 5xx refusal is given up after a few attempts.

Several claim loops run at once (`sender_tasks`), each on its own database connection, sharing
the pool of SMTP connections: while one batch waits for its slowest mail, or is being marked
and committed, another batch's mails keep the connections busy. `SKIP LOCKED` keeps their
batches apart, as it does between replicas.

The loops are woken by NOTIFY on the `delivery` channel (a statement trigger, delivered on commit
of the consumer's transaction), sleeps until the next retry falls due, and polls slowly in case
a notification was missed.
"""

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

import asyncpg
from prometheus_client import Counter, Gauge

from services.notifier.composition import OutgoingMail, compose
from services.notifier.config import Settings
from services.notifier.rendering import render, shared_key
from services.notifier.smtp import PermanentFailure, smtp_pool
from services.notifier.thread_headers import thread_headers_for
from services.notifier.unsubscribe_links import links_for
from shared import clock
from shared.i18n import as_locale
from shared.logging import get_logger

log = get_logger(__name__)

NOTIFY_CHANNEL = "delivery"

MAILS_SENT = Counter("notifier_mails_sent_total", "Mails accepted by the SMTP server", ["kind"])
SEND_FAILURES = Counter(
    "notifier_mail_failed_attempts_total", "Failed attempts to send a mail", ["kind", "permanent"]
)
MAILS_GIVEN_UP = Counter("notifier_mails_given_up_total", "Deliveries marked failed for good", ["kind"])
PENDING = Gauge("notifier_deliveries_pending", "Deliveries waiting to be sent (due or backing off)")

# The context comes in two parts: what every mail of one fan-out shares (a release's texts, the
# same for 10,000 rows), parsed and keyed for the templates once (`_shared_context`), and the
# fields the fan-out adds per recipient. Each is JSON text, so a field missing from the context
# (NULL) stays apart from one that is JSON null.
CLAIMED_COLUMNS = """
    id, email, kind, locale, attempts,
    context - '{name,account_id}'::text[] AS shared_context,
    context -> 'name' AS name, context -> 'account_id' AS account_id
"""
_CLAIM = f"""
    SELECT {CLAIMED_COLUMNS}
    FROM delivery
    WHERE status = 'pending' AND next_attempt_at <= now()
    ORDER BY next_attempt_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
"""  # noqa: S608 - a constant column list, nothing from input
_MARK_SENT = """
    UPDATE delivery SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL
    WHERE id = ANY($1::uuid[])
"""
_MARK_FAILED = """
    UPDATE delivery
    SET attempts = attempts + 1, last_error = $2, status = $3,
        next_attempt_at = now() + make_interval(secs => $4)
    WHERE id = $1
"""
_NEXT_DUE = "SELECT min(next_attempt_at) FROM delivery WHERE status = 'pending'"
_COUNT_PENDING = "SELECT count(*) FROM delivery WHERE status = 'pending'"


@dataclass
class BatchState:
    # Set once the SMTP server cannot be reached while this batch is sent (the circuit breaker).
    smtp_unreachable: str | None = None


@dataclass(frozen=True)
class Outcome:
    delivery_id: UUID
    kind: str
    error: str | None = None
    permanent: bool = False


@dataclass
class SharedContext:
    """The part of a delivery's context its fan-out shares, parsed once."""

    values: dict[str, Any]
    # The templates' cache key (rendering.shared_key) by the one shared field the sender adds
    # to the context itself, the preferences URL (None: a mail without list links).
    render_keys: dict[str | None, str] = field(default_factory=dict)

    def context_with(self, personal: dict[str, Any]) -> dict[str, Any]:
        return {**self.values, **personal}

    def render_key(self, context: dict[str, Any]) -> str:
        """`shared_key(context)` for a context made by `context_with` (plus the list links):
        apart from personal fields it holds only these values and the preferences URL."""
        preferences = context.get("preferences_url")
        key = self.render_keys.get(preferences)
        if key is None:
            key = self.render_keys[preferences] = shared_key(context)
        return key


@lru_cache(maxsize=256)
def _shared_context(text: str) -> SharedContext:
    return SharedContext(json.loads(text))


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Delay before the next try after `attempts` failed ones (1 → base, 2 → 2·base, …)."""
    return float(min(cap, base * 2 ** max(attempts - 1, 0)))


class MailSender:
    def __init__(self, settings: Settings, connections: int | None = None) -> None:
        """`connections`: this process's SMTP connections (default: all of sender_concurrency)."""
        self.settings = settings
        size = connections or settings.sender_concurrency
        self.pool = smtp_pool(settings, size)
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(size)
        self._pending_counted_at = 0.0
        self._busy_loops = 0

    async def run(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._run_connected()
            except asyncio.CancelledError:
                await self.pool.close()
                raise
            except Exception as error:  # the sender must outlive a database outage
                log.warning("mail sender failed, retrying", error=repr(error), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            else:
                delay = 0.5

    async def _run_connected(self) -> None:
        connections: list[asyncpg.Connection] = []
        try:
            for _ in range(1 + self.settings.sender_tasks):
                connections.append(await asyncpg.connect(self.settings.asyncpg_dsn))
            listener, *workers = connections
            await listener.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
            await asyncio.gather(*(self._claim_loop(worker) for worker in workers))
        finally:
            await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)

    async def _claim_loop(self, worker: asyncpg.Connection) -> None:
        while True:
            self._wake.clear()
            self._busy_loops += 1
            try:
                claimed = await self.send_batch(worker)
            finally:
                self._busy_loops -= 1
            await self._count_pending(worker)
            if claimed >= self.settings.sender_batch_size:
                continue  # more may be due right now
            if claimed == 0 and self._busy_loops == 0:
                await self.pool.close()  # do not hold idle SMTP connections open
            await self._sleep_until_due(worker)

    async def _sleep_until_due(self, connection: asyncpg.Connection) -> None:
        timeout = self.settings.sender_poll_seconds
        next_due: datetime | None = await connection.fetchval(_NEXT_DUE)
        if next_due is not None:
            timeout = min(timeout, max((next_due - clock.now()).total_seconds(), 0.0))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    async def _count_pending(self, connection: asyncpg.Connection) -> None:
        if time.monotonic() - self._pending_counted_at >= self.settings.pending_count_seconds:
            PENDING.set(await connection.fetchval(_COUNT_PENDING))
            self._pending_counted_at = time.monotonic()

    async def send_batch(self, connection: asyncpg.Connection) -> int:
        started = time.perf_counter()
        state = BatchState()
        async with connection.transaction():
            rows = await connection.fetch(_CLAIM, self.settings.sender_batch_size)
            if not rows:
                return 0
            claimed = time.perf_counter()
            outcomes = await asyncio.gather(*(self._send_one(row, state) for row in rows))
            sent = [o.delivery_id for o in outcomes if o.error is None]
            if sent:
                await connection.execute(_MARK_SENT, sent)
            failed = [o for o in outcomes if o.error is not None]
            if failed:
                attempts = {row["id"]: row["attempts"] + 1 for row in rows}
                await connection.executemany(_MARK_FAILED, [self._failure_row(o, attempts) for o in failed])
        sent_by_kind: dict[str, int] = {}
        for outcome in outcomes:
            if outcome.error is None:
                sent_by_kind[outcome.kind] = sent_by_kind.get(outcome.kind, 0) + 1
        for kind, count in sent_by_kind.items():
            MAILS_SENT.labels(kind).inc(count)  # once per kind and batch, not once per mail
        log.info(
            "delivery batch done",
            claimed=len(rows),
            sent=len(sent),
            failed=len(failed),
            claim_ms=round((claimed - started) * 1000, 1),
            total_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return len(rows)

    def _failure_row(self, outcome: Outcome, attempts: dict[UUID, int]) -> tuple[Any, ...]:
        count = attempts[outcome.delivery_id]
        SEND_FAILURES.labels(outcome.kind, str(outcome.permanent).lower()).inc()
        give_up = outcome.permanent and count >= self.settings.max_attempts_permanent
        if give_up:
            MAILS_GIVEN_UP.labels(outcome.kind).inc()
            log.error("delivery given up", delivery_id=str(outcome.delivery_id), error=outcome.error)
        delay = backoff_seconds(count, self.settings.retry_base_seconds, self.settings.retry_cap_seconds)
        return (outcome.delivery_id, (outcome.error or "")[:2000], "failed" if give_up else "pending", delay)

    async def _send_one(self, row: asyncpg.Record, state: BatchState) -> Outcome:
        # Render only when a connection is about to be free: rendering one mail while others
        # wait for their SMTP answers overlaps CPU with I/O instead of rendering the whole batch
        # first and then sending it.
        async with self._slots:
            return await self._render_and_send(row, state)

    async def _render_and_send(self, row: asyncpg.Record, state: BatchState) -> Outcome:
        delivery_id: UUID = row["id"]
        kind: str = row["kind"]
        try:
            message = self._message_for(row)
        except Exception as error:  # a template bug will not fix itself by retrying soon
            log.exception("cannot render mail", delivery_id=str(delivery_id), kind=kind)
            return Outcome(delivery_id, kind, f"render: {type(error).__name__}: {error}", permanent=True)
        if state.smtp_unreachable is not None:
            # Circuit breaker within a batch: once the server cannot be reached, the rest of the
            # batch backs off at once instead of each mail waiting out its own connect timeout
            # while the batch's rows stay locked.
            return Outcome(delivery_id, kind, state.smtp_unreachable)
        try:
            await self.pool.send(message)
        except PermanentFailure as error:
            log.warning("mail refused", delivery_id=str(delivery_id), error=str(error))
            return Outcome(delivery_id, kind, f"refused: {error}", permanent=True)
        except Exception as error:
            reason = f"{type(error).__name__}: {error}"
            if isinstance(error, OSError):  # connect refused/timed out, server gone
                state.smtp_unreachable = f"SMTP server unreachable ({reason})"
            log.warning("mail not sent, will retry", delivery_id=str(delivery_id), error=reason)
            return Outcome(delivery_id, kind, reason)
        return Outcome(delivery_id, kind)

    def _message_for(self, row: asyncpg.Record) -> OutgoingMail:
        shared = _shared_context(row["shared_context"])
        personal = {f: json.loads(row[f]) for f in ("name", "account_id") if row[f] is not None}
        context = shared.context_with(personal)
        locale = as_locale(row["locale"])
        links = links_for(
            row["kind"], context, portal_url=self.settings.public_url, secret=self.settings.secret_key
        )
        if links is not None:
            context["unsubscribe_url"] = links.page_url
            context["preferences_url"] = links.preferences_url
        rendered = render(row["kind"], locale, context, key=shared.render_key(context))
        return compose(
            delivery_id=row["id"],
            kind=row["kind"],
            locale=locale,
            to_email=row["email"],
            to_name=context.get("name"),
            rendered=rendered,
            mail_from=self.settings.mail_from,
            reply_to=self.settings.mail_reply_to,
            one_click_unsubscribe_url=links.one_click_url if links else None,
            thread=thread_headers_for(row["id"], context, self.settings),
        )
