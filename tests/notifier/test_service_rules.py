"""The notifier's rules as its service functions apply them, on its real database, without
Kafka, HTTP or mail: each test runs in a transaction that is rolled back."""

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifier import preferences, service
from services.notifier.models import HOLDINGS, MEMBERSHIPS
from services.notifier.preferences import Preferences
from shared.holdings import HoldingFacts, apply_holding
from shared.memberships import apply_membership
from tests.conftest import ServiceSession
from tests.kit import unique_email

TODAY = date(2026, 6, 1)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def customer(session: AsyncSession, product: str, coverage_end: date, *, disabled: bool = False) -> str:
    """A verified customer holding `product` until `coverage_end`; returns their address."""
    account_id, email = uuid.uuid4(), unique_email("rules")
    await service.record_recipient(
        session, user_id=account_id, email=email, name="Rules", locale="en", disabled=disabled
    )
    license_id = uuid.uuid4()
    await apply_holding(
        session,
        HOLDINGS,
        HoldingFacts(
            license_id,
            datetime(2026, 1, 1, tzinfo=UTC),
            account_id,
            f"SN-{license_id.hex[:8]}",
            product,
            date(2024, 1, 1),
            coverage_end,
        ),
    )
    return email


async def release_mails(session: AsyncSession, release_id: uuid.UUID) -> set[str]:
    rows = await (await session.connection()).execute(
        text("SELECT email FROM delivery WHERE event_id = :id AND kind = 'release'"), {"id": release_id}
    )
    return {email for (email,) in rows.all()}


async def fan_out(session: AsyncSession, product: str, kind: str = "update") -> uuid.UUID:
    release_id = uuid.uuid4()
    await service.fan_out_release(
        session,
        event_id=release_id,
        product=product,
        release_kind=kind,
        today=TODAY,
        context={"portal_url": "http://portal.test"},
        chunk_size=2,  # several chunks even for a handful of holders
    )
    return release_id


async def test_a_release_reaches_covered_enabled_holders_who_want_that_kind(
    service_session: ServiceSession,
) -> None:
    product = f"RUL{uuid.uuid4().hex[:6].upper()}"
    async with service_session("notifier") as session:
        covered = await customer(session, product, date(2030, 1, 1))
        also_covered = await customer(session, product, date(2027, 1, 1))
        lapsed = await customer(session, product, date(2025, 1, 1))
        disabled = await customer(session, product, date(2030, 1, 1), disabled=True)
        no_updates = await customer(session, product, date(2030, 1, 1))
        [no_updates_id] = (
            await (await session.connection()).execute(
                text("SELECT user_id FROM recipient WHERE email = :e"), {"e": no_updates}
            )
        ).one()
        await preferences.switch_off(session, no_updates_id, "release.update")

        update_mails = await release_mails(session, await fan_out(session, product, "update"))
        assert update_mails == {covered, also_covered}
        assert lapsed not in update_mails and disabled not in update_mails
        # Switching off updates leaves product releases on.
        product_mails = await release_mails(session, await fan_out(session, product, "product"))
        assert product_mails == {covered, also_covered, no_updates}


async def test_preferences_default_on_and_switching_off_is_idempotent(
    service_session: ServiceSession,
) -> None:
    account = uuid.uuid4()
    async with service_session("notifier") as session:
        assert await preferences.preferences_of(session, account) == Preferences()
        await preferences.switch_off(session, account, "renewal")
        await preferences.switch_off(session, account, "renewal")
        assert await preferences.preferences_of(session, account) == Preferences(renewal_reminder=False)

        chosen = Preferences(release_product=False, release_update=True, release_document=False)
        await preferences.save_preferences(session, account, chosen)
        assert await preferences.preferences_of(session, account) == chosen


async def test_a_release_reaches_each_member_of_an_entitled_organization_once(
    service_session: ServiceSession,
) -> None:
    product = f"RUL{uuid.uuid4().hex[:6].upper()}"
    organization = uuid.uuid4()
    async with service_session("notifier") as session:
        people = {}
        for who in ("binder", "colleague", "opted_out", "former", "outsider"):
            user_id, email = uuid.uuid4(), unique_email(who)
            await service.record_recipient(session, user_id=user_id, email=email, name=who, locale="en")
            people[who] = (user_id, email)
            if who != "outsider":
                await apply_membership(session, MEMBERSHIPS, user_id, organization, T0)
        await apply_membership(session, MEMBERSHIPS, people["former"][0], None, T0.replace(hour=1))
        await preferences.switch_off(session, people["opted_out"][0], "release.update")
        license_id = uuid.uuid4()
        org_license = HoldingFacts(
            license_id, T0, people["binder"][0], "SN-ORG", product, date(2024, 1, 1), date(2030, 1, 1),
            organization_id=organization,
        )  # fmt: skip
        await apply_holding(session, HOLDINGS, org_license)
        # The colleague also holds the product personally: still one mail.
        own = HoldingFacts(
            uuid.uuid4(), T0, people["colleague"][0], "SN-OWN", product, date(2024, 1, 1), date(2030, 1, 1)
        )
        await apply_holding(session, HOLDINGS, own)

        mails = await release_mails(session, await fan_out(session, product, "update"))
        assert mails == {people["binder"][1], people["colleague"][1]}
        rows = await (await session.connection()).execute(
            text("SELECT count(*) FROM delivery WHERE email = :e AND kind = 'release'"),
            {"e": people["colleague"][1]},
        )
        assert rows.scalar_one() == 1
