"""Asking the notifier to answer a mail that could not become a case (never sent from here:
the notifier's queue survives SMTP outages). One answer per address and reason per quiet
period, so two auto-responders can never keep each other busy."""

import re
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.mailbox.parsing import ParsedMail
from services.cases.models import Person
from shared.events.cases import AutoReplyReason, MailAutoReplyRequested
from shared.i18n import DEFAULT_LOCALE, Locale, normalize_locale
from shared.outbox import add_event

SOURCE = "cases"
_KANA = re.compile(r"[\u3040-\u30ff]")

# Claims the (address, reason) slot when it is free or its quiet period is over.
_CLAIM = text(
    """
    INSERT INTO mailbox_auto_reply (address, reason, sent_at) VALUES (:address, :reason, :now)
    ON CONFLICT (address, reason) DO UPDATE SET sent_at = EXCLUDED.sent_at
        WHERE mailbox_auto_reply.sent_at < :quiet_since
    RETURNING 1
    """
)


def language_of(mail: ParsedMail, person: Person | None) -> Locale:
    """The account's language; for strangers what the mail declares, or Japanese kana."""
    if person is not None and (known := normalize_locale(person.locale)):
        return known
    if mail.locale is not None:
        return mail.locale
    return "ja" if _KANA.search(mail.subject + mail.text[:2000]) else DEFAULT_LOCALE


async def request_auto_reply(
    session: AsyncSession,
    *,
    mail_id: UUID,
    mail: ParsedMail,
    person: Person | None,
    reason: AutoReplyReason,
    now: datetime,
    quiet: timedelta,
    products: list[str] | None = None,
) -> bool:
    """Queue the auto-reply event unless this address got one for this reason lately."""
    claimed = await session.execute(
        _CLAIM, {"address": mail.from_address, "reason": reason, "now": now, "quiet_since": now - quiet}
    )
    if claimed.first() is None:
        return False
    await add_event(
        session,
        MailAutoReplyRequested(
            mail_id=mail_id,
            to_email=mail.from_address,
            locale=language_of(mail, person),
            # A stranger is greeted by the name their mail gives, if any.
            name=person.name if person is not None else (mail.from_name or None),
            reason=reason,
            subject_line=mail.subject or "(no subject)",
            in_reply_to=mail.message_id,
            products=tuple(products or ()),
        ),
        source=SOURCE,
    )
    return True
