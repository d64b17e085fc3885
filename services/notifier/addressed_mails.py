"""Mails to the address an event itself names, in the language it names: one table of event
-> mail kind, recipient and template context, and one handler that queues them.

Identity's account mails use the email/name/locale the event carries, so they go out even
before, or without, the recipients projection; the mailbox's auto-reply writes to whoever
sent the mail.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifier import service
from shared.events import (
    AccountExistsNotice,
    Envelope,
    Event,
    MailAutoReplyRequested,
    OrganizationInvitationSent,
    PasswordResetRequested,
    SignInUnlockOffered,
    TwoStepChanged,
    VerificationRequested,
)
from shared.events.cases import AutoReplyReason
from shared.i18n import DEFAULT_LOCALE, Locale, normalize_locale

E = TypeVar("E", bound=Event)


class NamesItsAddress(Protocol):
    @property
    def email(self) -> str: ...
    @property
    def locale(self) -> Locale: ...


def account_address(event: NamesItsAddress) -> tuple[str, Locale]:
    """Identity's events carry the account's address and language (the mail must go out even
    before, or without, the recipients projection)."""
    return event.email, event.locale


@dataclass(frozen=True)
class AddressedMail(Generic[E]):
    """One mail to the address an event itself names, in the language it names: the mail kind
    (a template folder) and the template's context built from the event and the portal's URL."""

    kind: str | Callable[[E], str]
    to: Callable[[E], tuple[str, Locale]]
    context: Callable[[E, str], dict[str, Any]]


# Where the auto-reply sends the sender next, by why their mail opened no case.
AUTO_REPLY_NEXT_PAGE: dict[AutoReplyReason, str] = {
    "unknown_sender": "/register",
    "no_coverage": "/licenses",
    "choose_product": "/cases/new",
    "case_closed": "/cases/new",
}


ADDRESSED_MAILS: dict[type[Event], AddressedMail[Any]] = {
    VerificationRequested: AddressedMail[VerificationRequested](
        kind=lambda e: "email_change_confirmation" if e.reason == "email_change" else "verification",
        to=account_address,
        context=lambda e, portal: {
            "name": e.name,
            "portal_url": portal,
            "verify_url": e.verify_url,
            "expires_in_hours": e.expires_in_hours,
        },
    ),
    AccountExistsNotice: AddressedMail[AccountExistsNotice](
        kind="account_exists",
        to=account_address,
        context=lambda e, portal: {
            "name": e.name,
            "portal_url": portal,
            "sign_in_url": e.sign_in_url,
            "reset_url": e.reset_url,
        },
    ),
    PasswordResetRequested: AddressedMail[PasswordResetRequested](
        kind="password_reset",
        to=account_address,
        context=lambda e, portal: {
            "name": e.name,
            "portal_url": portal,
            "reset_url": e.reset_url,
            "expires_in_minutes": e.expires_in_minutes,
        },
    ),
    SignInUnlockOffered: AddressedMail[SignInUnlockOffered](
        kind="sign_in_unlock",
        to=account_address,
        context=lambda e, portal: {
            "name": e.name,
            "portal_url": portal,
            "unlock_url": e.unlock_url,
            "failures": e.failures,
            "expires_in_hours": e.expires_in_hours,
        },
    ),
    MailAutoReplyRequested: AddressedMail[MailAutoReplyRequested](
        kind="mailbox_auto_reply",
        to=lambda e: (e.to_email, normalize_locale(e.locale) or DEFAULT_LOCALE),
        context=lambda e, portal: {
            # A stranger has no name on file: greeting them by their address stays polite.
            "name": e.name or e.to_email,
            "portal_url": portal,
            "reason": e.reason,
            "subject_line": e.subject_line,
            "products": e.products,
            "action_url": portal + AUTO_REPLY_NEXT_PAGE[e.reason],
            "in_reply_to": e.in_reply_to,
        },
    ),
    OrganizationInvitationSent: AddressedMail[OrganizationInvitationSent](
        kind="organization_invitation",
        to=account_address,
        context=lambda e, portal: {
            "name": e.name,
            "portal_url": portal,
            "organization_name": e.organization_name,
            "inviter_name": e.inviter_name,
            "accept_url": e.accept_url,
            "expires_in_hours": e.expires_in_hours,
        },
    ),
    TwoStepChanged: AddressedMail[TwoStepChanged](
        kind="two_step_changed",
        to=account_address,
        context=lambda e, portal: {
            "name": e.name,
            "portal_url": portal,
            "change": e.change,
            "recovery_codes_left": e.recovery_codes_left,
            "account_url": f"{portal}/account",
        },
    ),
}


def addressed_mail_handler(
    mail: AddressedMail[Any], portal: str
) -> Callable[[AsyncSession, Envelope[Any]], Awaitable[None]]:
    async def queue(session: AsyncSession, envelope: Envelope[Any]) -> None:
        event = envelope.data
        email, locale = mail.to(event)
        await service.queue_mail(
            session,
            event_id=envelope.id,
            email=email,
            kind=mail.kind if isinstance(mail.kind, str) else mail.kind(event),
            locale=locale,
            context=mail.context(event, portal),
        )

    return queue
