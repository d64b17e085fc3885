"""The SMTP receiver (aiosmtpd): accepts mail for the support address and nothing else.

Every answer is explicit, so the MTA in front (or a sending client) knows what to do:
- RCPT to another address: `550 5.1.1` (we are not a relay);
- more than `mailbox_max_bytes`: `552` during DATA (aiosmtpd counts while reading);
- a mail that cannot be parsed, or has no single From address: `550 5.6.0` / `550 5.1.7`;
- the database unreachable: `451 4.3.0`, so the MTA keeps the mail and retries;
- otherwise the raw mail is committed to `inbound_mail` first and only then `250`.
The Message-ID is the row's unique key: a retried or duplicated delivery is acknowledged with
250 and stored once. Processing happens after the answer (processor.py), so a slow case
never holds an SMTP session open.
"""

import asyncio
import uuid
from typing import Any

import asyncpg
from aiosmtpd.smtp import SMTP, Envelope, Session

from services.cases.mailbox.config import MailboxSettings
from services.cases.mailbox.parsing import MalformedMail, idempotency_key, parse_off_loop
from services.cases.mailbox.processor import NOTIFY_CHANNEL
from shared.logging import get_logger
from shared.mail_threading import token_of_address

log = get_logger(__name__)

_STORE = """
    INSERT INTO inbound_mail (id, message_id, envelope_from, recipients, raw, size, status,
                              attempts, received_at, next_attempt_at)
    VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, now(), now())
    ON CONFLICT (message_id) DO NOTHING
"""


class InboundMailbox:
    """Where accepted mail goes: the durable `inbound_mail` table of the cases database."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def store(self, key: str, envelope_from: str, recipients: list[str], raw: bytes) -> bool:
        """True if stored now, False if this Message-ID was already stored (a redelivery)."""
        async with self.pool.acquire() as connection, connection.transaction():
            status = await connection.execute(
                _STORE, uuid.uuid4(), key, envelope_from, recipients, raw, len(raw)
            )
            stored = status.endswith(" 1")
            if stored:
                await connection.execute(f"NOTIFY {NOTIFY_CHANNEL}")
        return stored


class SupportMailHandler:
    def __init__(self, settings: MailboxSettings, mailbox: InboundMailbox) -> None:
        self.settings = settings
        self.mailbox = mailbox
        self.support = settings.support_address.lower()

    def accepts(self, address: str) -> bool:
        return address.lower() == self.support or token_of_address(address, self.support) is not None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if not self.accepts(address):
            return "550 5.1.1 No such mailbox here; write to " + self.support
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            parsed = await parse_off_loop(raw)
        except MalformedMail as error:
            log.info("inbound mail refused", reason=str(error))
            return error.reply
        key = idempotency_key(raw, parsed)
        try:
            stored = await self.mailbox.store(key, envelope.mail_from or "", list(envelope.rcpt_tos), raw)
        except Exception as error:  # database away: the MTA keeps the mail and retries
            log.warning("inbound mail not stored", error=repr(error), message_id=key)
            return "451 4.3.0 Cannot store the message now; try again later"
        log.info("inbound mail stored", message_id=key, size=len(raw), duplicate=not stored)
        return "250 2.0.0 Message accepted"


def smtp_factory(handler: Any, settings: MailboxSettings):
    """The SMTP protocol as the receiver runs it (the benchmark uses it with a no-op handler)."""

    def build() -> SMTP:
        return SMTP(
            handler,
            data_size_limit=settings.mailbox_max_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=settings.support_address.rpartition("@")[2] or "localhost",
            ident="Support Portal mailbox",
            timeout=60,
        )

    return build


async def serve(handler: Any, settings: MailboxSettings) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        smtp_factory(handler, settings), settings.mailbox_host, settings.mailbox_port
    )
