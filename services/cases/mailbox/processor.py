"""Applying stored mails: each once, whatever is retried or redelivered.

A worker claims one pending `inbound_mail` row (`FOR UPDATE SKIP LOCKED`, so replicas and
workers share the queue), decides what it is, applies it through the cases service's use
cases, and marks the row in the SAME transaction: the case, its message, attachment rows,
outbox events and the row's new status commit together or not at all. A crash or an outage
midway rolls everything back and the row is tried again later; the row's unique Message-ID
already absorbed duplicates at the door. Workers are woken by NOTIFY from the receiver and
poll slowly in case a notification was missed.
"""

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import asyncpg
from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.access import customer_sees, organization_of_account
from services.cases.mailbox import casework
from services.cases.mailbox.attachments import AttachmentStore
from services.cases.mailbox.auto_replies import request_auto_reply
from services.cases.mailbox.case_threading import case_answered
from services.cases.mailbox.config import MailboxSettings
from services.cases.mailbox.customers import (
    covered_licenses,
    person_by_address,
    pick_license,
)
from services.cases.mailbox.loops import why_not_answer
from services.cases.mailbox.models import InboundMail
from services.cases.mailbox.parsing import MalformedMail, ParsedMail, parse_off_loop
from services.cases.models import Case, Person
from services.cases.problems import CASE_CLOSED, REOPEN_WINDOW_PASSED
from shared import clock
from shared.events.cases import AutoReplyReason
from shared.http.problems import Problem
from shared.logging import get_logger
from shared.ratelimit import allow

log = get_logger(__name__)

NOTIFY_CHANNEL = "inbound_mail"


@dataclass(frozen=True)
class Outcome:
    status: str  # applied | ignored
    outcome: str
    case_id: UUID | None = None
    case_message_id: UUID | None = None


def backoff_seconds(attempts: int, cap: float = 60.0) -> float:
    return float(min(cap, 2 ** max(attempts - 1, 0)))


class MailProcessor:
    def __init__(
        self,
        settings: MailboxSettings,
        sessions: async_sessionmaker[AsyncSession],
        store: AttachmentStore,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.store = store
        self.rules = settings.rules()  # the portal's own workflow rules (SLA, reopen window)
        self._wakers: list[asyncio.Event] = []

    # --- deciding and applying one mail ---------------------------------------------------

    async def apply(self, session: AsyncSession, row: InboundMail) -> Outcome:
        s = self.settings
        try:
            mail = await parse_off_loop(row.raw)  # it parsed at the door; only a newer parser could refuse it
        except MalformedMail:
            return Outcome("ignored", "malformed")
        loop_reason = why_not_answer(mail, row.envelope_from, s.support_address, s.mail_from)
        if loop_reason is not None:
            return Outcome("ignored", loop_reason)
        person = await person_by_address(session, mail.from_address)
        if person is None:  # unknown, or not verified yet (people are projected on verification)
            return await self._refuse(session, row, mail, None, "unknown_sender")
        case_id = case_answered(mail, list(row.recipients), s.support_address, s.mail_token_secret)
        if case_id is not None:
            return await self._add_to_case(session, row, mail, person, case_id)
        return await self._open_case(session, row, mail, person)

    async def _add_to_case(
        self, session: AsyncSession, row: InboundMail, mail: ParsedMail, person: Person, case_id: UUID
    ) -> Outcome:
        case = await session.get(Case, case_id)
        organization_id = await organization_of_account(session, person.user_id)
        if case is None or not customer_sees(person.user_id, organization_id, case):
            # A valid token from an address that may not write here (a forwarded case mail): the
            # portal's rule decides, so a colleague answers an organization's shared case, and
            # nobody else, nor anyone on a private or security case. Nothing is said to the sender.
            return Outcome("ignored", "not_case_owner")
        try:
            message = await casework.add_customer_message(
                session, person, case_id, mail.new_text, rules=self.rules
            )
        except Problem as problem:
            # Closed, or resolved longer ago than the reopen window: either way a new case is due.
            if problem.type in (CASE_CLOSED, REOPEN_WINDOW_PASSED):
                return await self._refuse(session, row, mail, person, "case_closed")
            raise
        await self.store.store(
            session, case_id=case_id, uploader_id=person.user_id, mail_id=row.id, files=mail.attachments
        )
        return Outcome("applied", "case_message", case_id, message.id)

    async def _open_case(
        self, session: AsyncSession, row: InboundMail, mail: ParsedMail, person: Person
    ) -> Outcome:
        today = clock.today()
        covered = await covered_licenses(session, person.user_id, today)
        if not covered:
            return await self._refuse(session, row, mail, person, "no_coverage")
        choice = pick_license(covered, mail.subject)
        if isinstance(choice, list):
            return await self._refuse(session, row, mail, person, "choose_product", products=choice)
        # Counted on the shared limiter only when a case would open (refusals are not cases);
        # the hit commits with the case, in the mail's transaction.
        if await allow(
            session,
            f"case:mail:{person.user_id}",
            limit=self.settings.mailbox_new_cases_per_hour,
            window=timedelta(hours=1),
            now=clock.now(),
        ):
            return Outcome("ignored", "rate_limited")
        case = await casework.open_case(
            session,
            person,
            license_id=choice.license_id,
            category=self.settings.mailbox_case_category,
            subject=mail.subject,
            body=mail.new_text,
            today=today,
            rules=self.rules,
            number_prefix=self.settings.case_number_prefix,
        )
        await self.store.store(
            session, case_id=case.id, uploader_id=person.user_id, mail_id=row.id, files=mail.attachments
        )
        return Outcome("applied", "case_opened", case.id)

    async def _refuse(
        self,
        session: AsyncSession,
        row: InboundMail,
        mail: ParsedMail,
        person: Person | None,
        reason: AutoReplyReason,
        products: list[str] | None = None,
    ) -> Outcome:
        answered = await request_auto_reply(
            session,
            mail_id=row.id,
            mail=mail,
            person=person,
            reason=reason,
            now=clock.now(),
            quiet=timedelta(hours=self.settings.mailbox_auto_reply_quiet_hours),
            products=products,
        )
        return Outcome("ignored", reason if answered else f"{reason}_quiet")

    # --- the queue --------------------------------------------------------------------------

    async def process_one(self) -> bool:
        """Claim and apply one due mail. False when none is due."""
        mail_id: UUID | None = None
        async with self.sessions() as session:
            try:
                query = (
                    select(InboundMail)
                    .where(
                        col(InboundMail.status) == "pending",
                        col(InboundMail.next_attempt_at) <= clock.now(),
                    )
                    .order_by(col(InboundMail.next_attempt_at))
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
                row = (await session.exec(query)).first()
                if row is None:
                    return False
                mail_id = row.id
                outcome = await self.apply(session, row)
                row.status, row.outcome = outcome.status, outcome.outcome
                row.case_id, row.case_message_id = outcome.case_id, outcome.case_message_id
                row.attempts += 1
                row.processed_at = clock.now()
                row.last_error = None
                session.add(row)
                await session.commit()
                log.info("inbound mail applied", mail_id=str(mail_id), outcome=outcome.outcome)
            except Exception as error:
                await session.rollback()
                if mail_id is None:
                    raise
                await self._failed(mail_id, error)
        return True

    async def _failed(self, mail_id: UUID, error: Exception) -> None:
        log.warning("inbound mail not applied, will retry", mail_id=str(mail_id), error=repr(error))
        async with self.sessions() as session:
            row = await session.get(InboundMail, mail_id, with_for_update=True)
            if row is None:
                return
            attempts = row.attempts + 1
            given_up = attempts >= self.settings.mailbox_max_attempts
            await session.exec(
                update(InboundMail)
                .where(col(InboundMail.id) == mail_id)
                .values(
                    attempts=attempts,
                    last_error=f"{type(error).__name__}: {error}"[:2000],
                    status="failed" if given_up else "pending",
                    next_attempt_at=clock.now() + timedelta(seconds=backoff_seconds(attempts)),
                )
            )
            await session.commit()
            if given_up:
                log.error("inbound mail set aside after repeated failures", mail_id=str(mail_id))

    async def work(self) -> None:
        wake = asyncio.Event()
        self._wakers.append(wake)
        while True:
            wake.clear()  # before draining: a NOTIFY during the drain keeps it set
            try:
                while await self.process_one():
                    pass
            except Exception as error:  # the database is away: wait, then try again
                log.warning("mailbox worker cannot reach the database", error=repr(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=self.settings.mailbox_poll_seconds)

    async def listen(self) -> None:
        """Wake the workers on every NOTIFY from the receiver; reconnect when the database goes."""
        while True:
            try:
                connection = await asyncpg.connect(self.settings.asyncpg_dsn)
                try:
                    await connection.add_listener(NOTIFY_CHANNEL, lambda *_: self.wake())
                    closed = asyncio.Event()
                    connection.add_termination_listener(lambda *_, gone=closed: gone.set())
                    self.wake()  # whatever arrived while not listening
                    await closed.wait()
                finally:
                    await connection.close()
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("mailbox listener reconnecting", error=repr(error))
                await asyncio.sleep(2)

    def wake(self) -> None:
        for event in self._wakers:
            event.set()

    async def run(self) -> None:
        workers = [self.work() for _ in range(self.settings.mailbox_workers)]
        await asyncio.gather(self.listen(), *workers)
