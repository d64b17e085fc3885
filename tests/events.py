"""Feed services events the way the producers' outbox relays do: the event built from its
schema in shared/events, wrapped and encoded as `shared.outbox.add_event` stores it (envelope,
key, CloudEvents headers) and sent as the relay sends an outbox row.

Tests drive the downloads, cases and notifier consumers with these, so they do not depend on
the producing service's own flow (covered by that service's tests). Every event is built by the
producer's own builder (`services/<producer>/events.py`) from the producer's model, so a consumer
is fed exactly what the producer emits. Publishing the same envelope twice is a redelivery.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from aiokafka import AIOKafkaProducer

from services.downloads import events as downloads_events
from services.downloads.models import Release
from services.identity import events as identity_events
from services.identity.config import Settings as IdentitySettings
from services.identity.core import OneTimeLink
from services.identity.models import Organization, OrganizationMember, User
from services.licensing import events as licensing_events
from services.licensing.models import Contract, License
from shared import clock
from shared.entitlements import ONE_DAY, Coverage, Period, ReleaseChannel, ReleaseKind
from shared.events import (
    AccountExistsNotice,
    BindingMoved,
    ContractBound,
    Envelope,
    Event,
    LicenseBound,
    LicenseVoided,
    OrganizationMemberAdded,
    PasswordResetRequested,
    ReleasePublished,
    SignInUnlockOffered,
    UserProfileChanged,
    UserVerified,
    VerificationRequested,
)
from shared.events.organizations import OrganizationRole
from shared.i18n import Locale
from shared.outbox import event_headers
from shared.relay import make_producer


def producer_of(event: Event) -> str:
    """Who publishes this event: the service that owns the topic named after it."""
    return event.topic.split(".", 1)[0]


class EventPublisher:
    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._producer: AIOKafkaProducer | None = None

    async def publish(self, event: Event, *, time: datetime | None = None) -> Envelope[Event]:
        """Publish a new envelope of `event`; `time` backdates it (a late, stale event)."""
        envelope: Envelope[Event] = Envelope.wrap(event, source=producer_of(event))
        if time is not None:
            envelope = envelope.model_copy(update={"time": time})
        await self.publish_envelope(envelope)
        return envelope

    async def publish_envelope(self, envelope: Envelope[Event]) -> None:
        """Publish an envelope as it is: the same one twice is a redelivery."""
        if self._producer is None:
            self._producer = make_producer(self.bootstrap)
            await self._producer.start()
        await self._producer.send_and_wait(
            envelope.data.topic,
            value=envelope.model_dump_json().encode(),
            key=envelope.subject.encode(),
            headers=[(k, v.encode()) for k, v in event_headers(envelope).items()],
        )

    async def bind_license(
        self,
        account_id: uuid.UUID,
        product: str,
        start: date,
        end: date,
        *,
        license_id: uuid.UUID | None = None,
        time: datetime | None = None,
        organization_id: uuid.UUID | None = None,
    ) -> Envelope[Event]:
        event = license_bound(license_id or uuid.uuid4(), account_id, product, start, end, organization_id)
        return await self.publish(event, time=time)

    async def bind_contract(
        self,
        license_id: uuid.UUID,
        account_id: uuid.UUID,
        product: str,
        start: date,
        starts_on: date,
        end: date,
    ) -> None:
        await self.publish(contract_bound(license_id, account_id, product, start, starts_on, end))

    async def void_license(self, license_id: uuid.UUID, account_id: uuid.UUID, product: str) -> None:
        await self.publish(license_voided(license_id, account_id, product))

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()


def long_ago() -> datetime:
    """An event time older than any real one (to prove a late, stale event changes nothing)."""
    return datetime(2000, 1, 1, tzinfo=UTC)


def serial_of(license_id: uuid.UUID) -> str:
    return f"SN-{license_id.hex[:10].upper()}"


def licensed(
    license_id: uuid.UUID,
    account_id: uuid.UUID,
    product: str,
    start: date,
    end: date,
    organization_id: uuid.UUID | None = None,
) -> License:
    """A license bound to `account_id` (owned by `organization_id`, if given) whose warranty runs
    from `start` to `end`."""
    return License(
        id=license_id,
        serial=serial_of(license_id),
        registration_hash="",
        product=product,
        edition="Enterprise",
        seats=10,
        purchased_on=start,
        warranty_ends=end,
        account_id=account_id,
        organization_id=organization_id,
    )


def organization_member_added(
    user_id: uuid.UUID, organization_id: uuid.UUID, name: str, *, role: OrganizationRole = "member"
) -> OrganizationMemberAdded:
    """`user_id` joined the organization `organization_id`, as identity announces it."""
    organization = Organization(id=organization_id, name=name, country="TW")
    member = OrganizationMember(user_id=user_id, organization_id=organization_id, role=role)
    return identity_events.organization_member_added(member, organization, bring_licenses=False)


def license_bound(
    license_id: uuid.UUID,
    account_id: uuid.UUID,
    product: str,
    start: date,
    end: date,
    organization_id: uuid.UUID | None = None,
) -> LicenseBound:
    license = licensed(license_id, account_id, product, start, end, organization_id)
    return licensing_events.license_bound(license, Coverage.of(Period(start, end)))


def contract_bound(
    license_id: uuid.UUID, account_id: uuid.UUID, product: str, start: date, starts_on: date, end: date
) -> ContractBound:
    """A contract from `starts_on` to `end` continuing a warranty that ran from `start`; coverage
    is then `start`..`end` (a gap before `starts_on` is the warranty's, so the rule holds)."""
    warranty = Period(start, starts_on - ONE_DAY)
    license = licensed(license_id, account_id, product, warranty.start, warranty.end)
    contract = Contract(license_id=license_id, registration_hash="", starts_on=starts_on, ends_on=end)
    coverage = Coverage.of(warranty, [Period(starts_on, end)])
    return licensing_events.contract_bound(license, contract, coverage)


def license_voided(
    license_id: uuid.UUID, account_id: uuid.UUID, product: str, *, remaining: Period | None = None
) -> LicenseVoided:
    """The license voided (`remaining` None), or one of its contracts, leaving `remaining` covered."""
    if remaining is None:
        license = licensed(license_id, account_id, product, clock.today(), clock.today())
        license.voided_at = clock.now()
        return licensing_events.license_voided(license, None)
    license = licensed(license_id, account_id, product, remaining.start, remaining.end)
    return licensing_events.license_voided(license, Coverage.of(remaining))


def binding_moved(
    license_id: uuid.UUID,
    product: str,
    from_account_id: uuid.UUID,
    to_account_id: uuid.UUID,
    coverage: Period,
) -> BindingMoved:
    license = licensed(license_id, to_account_id, product, coverage.start, coverage.end)
    return licensing_events.binding_moved(license, from_account_id, Coverage.of(coverage))


def account(user_id: uuid.UUID, email: str, name: str, locale: Locale, *, disabled: bool = False) -> User:
    return User(
        id=user_id,
        email=email,
        email_key=email.lower(),
        name=name,
        locale=locale,
        phone="+886223456789",
        password_hash="",
        disabled_at=clock.now() if disabled else None,
    )


def user_verified(
    user_id: uuid.UUID, email: str, name: str, locale: Locale, *, by: identity_events.VerifiedBy = "link"
) -> UserVerified:
    return identity_events.verified(account(user_id, email, name, locale), by)


def profile_changed(
    user_id: uuid.UUID,
    email: str,
    name: str,
    locale: Locale,
    *,
    disabled: bool = False,
    previous_email: str | None = None,
) -> UserProfileChanged:
    user = account(user_id, email, name, locale, disabled=disabled)
    return identity_events.profile_changed(user, previous_email)


PORTAL = "http://portal.test"  # the public URL identity puts in the links of these tests' mails


def verification_requested(
    user: User, url: str, *, hours: int = 24, reason: identity_events.VerificationReason = "register"
) -> VerificationRequested:
    return identity_events.verification_requested(
        user, user.email, OneTimeLink(url, timedelta(hours=hours)), reason
    )


def password_reset_requested(user: User, url: str, *, minutes: int = 60) -> PasswordResetRequested:
    return identity_events.password_reset_requested(user, OneTimeLink(url, timedelta(minutes=minutes)))


def unlock_offered(user: User, url: str, failures: int, *, hours: int = 24) -> SignInUnlockOffered:
    return identity_events.unlock_offered(user, OneTimeLink(url, timedelta(hours=hours)), failures)


def account_exists_notice(user: User) -> AccountExistsNotice:
    """Its links: `{PORTAL}/login` and `{PORTAL}/forgot-password`."""
    return identity_events.account_exists_notice(user, IdentitySettings(public_url=PORTAL))


def release_published(
    product: str,
    version: str,
    *,
    kind: ReleaseKind = "update",
    title: str | None = None,
    notes: str = "",
    published_on: date | None = None,
    channel: ReleaseChannel = "stable",
    release_id: uuid.UUID | None = None,
    preview_accounts: Sequence[uuid.UUID] = (),
) -> ReleasePublished:
    """A release as downloads announces it on publishing (no files: the mail does not list them)."""
    release = Release(
        release_id=release_id or uuid.uuid4(),
        product=product,
        version=version,
        kind=kind,
        title=title or f"{product} {version}",
        notes=notes,
        published_on=published_on or clock.today(),
        channel=channel,
        translations={},
    )
    return downloads_events.release_published(release, [], preview_accounts)
