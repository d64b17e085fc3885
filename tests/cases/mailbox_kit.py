"""Helpers of the mailbox tests: real mail over SMTP (aiosmtplib) to the stack's receiver, and
reading what became of it in the cases database."""

import uuid
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import asyncpg

from shared.i18n import Locale
from tests.accounts import Accounts, PortalUser
from tests.events import EventPublisher, user_verified
from tests.kit import eventually

COVERED = (date(2025, 1, 1), date(2030, 12, 31))
LAPSED = (date(2022, 1, 1), date(2025, 6, 30))
SENDER_DOMAIN = "customer.test"


def new_mail(
    sender: str,
    subject: str,
    body: str,
    *,
    to: str = "support@example.com",
    html: str | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@{SENDER_DOMAIN}>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


@dataclass
class Mailbox:
    host: str
    port: int
    address: str
    db: asyncpg.Connection

    async def send(
        self, message: EmailMessage | bytes, *, sender: str | None = None, recipients: list[str] | None = None
    ) -> str:
        """Deliver like an MTA does; returns the final reply (a refusal raises aiosmtplib's error)."""
        rcpt = recipients or [self.address]
        if isinstance(message, EmailMessage):
            envelope_from = sender if sender is not None else str(message["From"])
            response = await aiosmtplib.send(
                message, hostname=self.host, port=self.port, sender=envelope_from, recipients=rcpt
            )
        else:
            response = await aiosmtplib.send(
                message, hostname=self.host, port=self.port, sender=sender or "", recipients=rcpt
            )
        return response[1]

    async def settled(self, message_id: str, timeout: float = 30.0) -> asyncpg.Record:
        """The inbound_mail row of a Message-ID once it is applied or ignored."""

        async def probe() -> asyncpg.Record | None:
            row = await self.db.fetchrow("SELECT * FROM inbound_mail WHERE message_id = $1", message_id)
            return row if row is not None and row["status"] in ("applied", "ignored") else None

        return await eventually(probe, timeout=timeout, what=f"inbound mail {message_id} processed")

    async def case(self, case_id: uuid.UUID) -> asyncpg.Record:
        row = await self.db.fetchrow("SELECT * FROM cases WHERE id = $1", case_id)
        assert row is not None
        return row

    async def auto_replies_for(self, mail_id: uuid.UUID) -> int:
        """Auto-reply events the mailbox queued for one inbound mail (outbox rows keyed by it)."""
        return int(await self.db.fetchval("SELECT count(*) FROM outbox WHERE key = $1", str(mail_id)))


async def customer(
    stack: dict[str, Any],
    accounts: Accounts,
    events: EventPublisher,
    db: asyncpg.Connection,
    products: dict[str, tuple[date, date]],
    *,
    locale: Locale = "en",
) -> tuple[PortalUser, dict[str, uuid.UUID]]:
    """A verified account holding a license per product, projected into the cases database."""
    user = await accounts.user(name="Mail Customer")
    licenses = {
        product: uuid.UUID((await events.bind_license(user.user_id, product, *period)).subject)
        for product, period in products.items()
    }
    await events.publish(
        user_verified(user.user_id, user.email, "Mail Customer", locale),
    )

    async def projected() -> bool:
        count = await db.fetchval(
            "SELECT count(*) FROM holdings WHERE license_id = ANY($1::uuid[])", list(licenses.values())
        )
        person_locale = await db.fetchval("SELECT locale FROM people WHERE user_id = $1", user.user_id)
        return count == len(licenses) and person_locale == locale

    await eventually(projected, what="customer and licenses projected into cases")
    return user, licenses
