"""Event consumers: keep the recipients and holdings projections and queue mails.

Mails to the address an event itself names come from one table (addressed_mails.py); the
handlers here look their recipients up (case mails), fan out (releases) or also keep the
recipients projection. Every handler only queues `delivery` rows inside the consumer's
transaction; the sender loop mails them after commit (a NOTIFY trigger wakes it).
"""

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifier import service
from services.notifier.addressed_mails import ADDRESSED_MAILS, addressed_mail_handler
from services.notifier.config import Settings
from services.notifier.models import HOLDINGS, MEMBERSHIPS
from shared import clock
from shared.consumer import Handlers
from shared.events import (
    AccountClosed,
    CaseOpened,
    CaseReplied,
    CaseSlaBreached,
    Envelope,
    ReleasePublished,
    UserProfileChanged,
    UserVerified,
)
from shared.holdings import holding_handlers
from shared.i18n import LOCALES
from shared.logging import get_logger
from shared.memberships import membership_handlers

log = get_logger(__name__)

Handler = Callable[[AsyncSession, Envelope[Any]], Awaitable[None]]


def release_page(portal: str, kind: str, release_id: UUID) -> str:
    """The portal page that shows this release: products on Product Download, updates and
    documents on Update Download (documents on their tab)."""
    page = "/downloads/products" if kind == "product" else "/downloads/updates"
    tab = "&tab=documents" if kind == "document" else ""
    return f"{portal}{page}?release={quote(str(release_id))}{tab}"


def build_handlers(settings: Settings) -> Handlers:
    portal = settings.public_url.rstrip("/")

    def case_link(case_id: UUID) -> str:
        """The customer's case page opens the case named in `?case=`."""
        return f"{portal}/cases?case={quote(str(case_id))}"

    async def on_user_verified(session: AsyncSession, envelope: Envelope[UserVerified]) -> None:
        event = envelope.data
        await service.record_recipient(
            session, user_id=event.user_id, email=event.email, name=event.name, locale=event.locale
        )
        # Verified by link or by staff, the welcome goes out once per account, ever.
        if await service.claim_welcome(session, event.user_id):
            await service.queue_mail(
                session,
                event_id=envelope.id,
                email=event.email,
                kind="welcome",
                locale=event.locale,
                context={"name": event.name, "portal_url": portal},
            )

    async def on_profile_changed(session: AsyncSession, envelope: Envelope[UserProfileChanged]) -> None:
        event = envelope.data
        await service.record_recipient(
            session,
            user_id=event.user_id,
            email=event.email,
            name=event.name,
            locale=event.locale,
            disabled=event.disabled,
        )
        if event.previous_email and event.previous_email.lower() != event.email.lower():
            await service.queue_mail(
                session,
                event_id=envelope.id,
                email=event.previous_email,
                kind="email_changed",
                locale=event.locale,
                context={"name": event.name, "portal_url": portal, "new_email": event.email},
            )

    async def on_account_closed(session: AsyncSession, envelope: Envelope[AccountClosed]) -> None:
        """Stop what is still queued for the account and forget the mail it was sent, then
        confirm the closing to the address it had. The event is the only place that address
        still travels; the delivery row queued here is the notifier's only copy of it (the
        recipient row holds the anonymised one already, from UserProfileChanged)."""
        event = envelope.data
        dropped = await service.forget_address(session, event.email)
        await service.queue_mail(
            session,
            event_id=envelope.id,
            email=event.email,
            kind="account_closed",
            locale=event.locale,
            context={"name": event.name, "portal_url": portal},
        )
        log.info("account closed: its mail forgotten", user_id=str(event.user_id), dropped=dropped)

    async def on_release_published(session: AsyncSession, envelope: Envelope[ReleasePublished]) -> None:
        event = envelope.data
        # Keyed by the release, not the envelope: the release tool re-publishes a corrected
        # release (new title or files) under a new envelope id, and nobody should get it twice.
        queued = await service.fan_out_release(
            session,
            event_id=event.release_id,
            product=event.product,
            release_kind=event.kind,
            today=clock.today(),  # the business calendar's day, as for every coverage decision
            chunk_size=settings.fanout_chunk_size,
            announce_to=event.may_announce_to,  # the channel rule: previews to opted-in holders only
            context={
                "portal_url": portal,
                "product": event.product,
                "version": event.version,
                "kind": event.kind,
                "title": event.title,
                "notes": event.notes,
                # The reader's language, falling back to English (the template picks by locale).
                "localized": {locale: event.text_in(locale).model_dump() for locale in LOCALES},
                "release_url": release_page(portal, event.kind, event.release_id),
            },
        )
        log.info("release announced", release_id=str(event.release_id), product=event.product, queued=queued)

    async def on_case_opened(session: AsyncSession, envelope: Envelope[CaseOpened]) -> None:
        event = envelope.data
        case_context = {
            "portal_url": portal,
            "number": event.number,
            "subject_line": event.subject_line,
            "product": event.product,
        }
        # The team hears of every new case, whether or not the customer can be mailed.
        await service.queue_mail(
            session,
            event_id=envelope.id,
            email=settings.support_team_email,
            kind="case_new_staff",
            locale=settings.support_team_locale,
            context={
                **case_context,
                "name": settings.support_team_name,
                "severity": event.severity,
                "category": event.category,
                "case_url": f"{portal}/desk/cases/{event.case_id}",
            },
        )
        recipient = await service.recipient_of(session, event.account_id)
        if recipient is None or recipient.disabled:
            log.warning("case opened by an account we cannot mail", account_id=str(event.account_id))
            return
        await service.queue_mail(
            session,
            event_id=envelope.id,
            email=recipient.email,
            kind="case_opened",
            locale=recipient.locale,
            context={
                **case_context,
                "name": recipient.name,
                "case_url": case_link(event.case_id),
                # Signs the case's reply address, so the customer can answer by mail (thread_headers.py).
                "case_id": str(event.case_id),
            },
        )

    async def on_case_replied(session: AsyncSession, envelope: Envelope[CaseReplied]) -> None:
        event = envelope.data
        # Staff replies go to the customer; customer messages to the engineer who has the case.
        if event.by_staff:
            to_id, kind, url = event.account_id, "case_answered", case_link(event.case_id)
        elif event.assignee_id is not None:
            to_id, kind, url = (
                event.assignee_id,
                "case_customer_reply",
                f"{portal}/desk/cases/{event.case_id}",
            )
        else:
            return  # unassigned: the case is back in the queue, which the team watches
        recipient = await service.recipient_of(session, to_id)
        if recipient is None or recipient.disabled:
            log.warning("case reply for an account we cannot mail", account_id=str(to_id), kind=kind)
            return
        await service.queue_mail(
            session,
            event_id=envelope.id,
            email=recipient.email,
            kind=kind,
            locale=recipient.locale,
            context={
                "name": recipient.name,
                "portal_url": portal,
                "number": event.number,
                "reply": event.body,
                "case_url": url,
                # Only the customer answers a case by mail: staff mails keep the plain Reply-To.
                **({"case_id": str(event.case_id)} if event.by_staff else {}),
            },
        )

    async def on_sla_breached(session: AsyncSession, envelope: Envelope[CaseSlaBreached]) -> None:
        event = envelope.data
        # The engineer who has the case hears of it; an unassigned case, the whole team.
        recipient = (
            None if event.assignee_id is None else await service.recipient_of(session, event.assignee_id)
        )
        if recipient is not None and not recipient.disabled:
            email, name, locale = recipient.email, recipient.name, recipient.locale
        else:
            email, name, locale = (
                settings.support_team_email,
                settings.support_team_name,
                settings.support_team_locale,
            )
        await service.queue_mail(
            session,
            event_id=envelope.id,
            email=email,
            kind="case_sla_breached",
            locale=locale,
            context={
                "name": name,
                "portal_url": portal,
                "number": event.number,
                "target": event.target,
                "severity": event.severity,
                "due_at": event.due_at.strftime("%Y-%m-%d %H:%M UTC"),
                "case_url": f"{portal}/desk/cases/{event.case_id}",
            },
        )

    return {
        **{event_type: addressed_mail_handler(mail, portal) for event_type, mail in ADDRESSED_MAILS.items()},
        UserVerified: on_user_verified,
        UserProfileChanged: on_profile_changed,
        AccountClosed: on_account_closed,
        **holding_handlers(HOLDINGS),
        **membership_handlers(MEMBERSHIPS),
        ReleasePublished: on_release_published,
        CaseOpened: on_case_opened,
        CaseReplied: on_case_replied,
        CaseSlaBreached: on_sla_breached,
    }
