"""The holdings projection's rules (shared.holdings) on each service's real table, without Kafka
or HTTP: every test runs in a transaction that is rolled back (tests.kit.rolled_back_session)."""

import importlib
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Row, Table, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.entitlements import Holding, Period
from shared.holdings import HoldingFacts, apply_holding, held_by, holders_of, holdings_of
from shared.memberships import apply_membership, organization_of
from tests.conftest import ServiceSession

SERVICES_WITH_HOLDINGS = ("downloads", "cases", "notifier")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def holdings_table(service: str) -> Table:
    table: Table = importlib.import_module(f"services.{service}.models").HOLDINGS
    return table


def memberships_table(service: str) -> Table:
    table: Table = importlib.import_module(f"services.{service}.models").MEMBERSHIPS
    return table


async def row_of(session: AsyncSession, table: Table, license_id: uuid.UUID) -> Row[Any] | None:
    connection = await session.connection()
    return (await connection.execute(select(table).where(table.c.license_id == license_id))).first()


async def all_holders(
    session: AsyncSession, table: Table, memberships: Table, product: str
) -> dict[uuid.UUID, list[Holding]]:
    """What `holders_of` streams, checked to name each person once."""
    streamed = [holder async for holder in holders_of(session, table, memberships, product)]
    assert len({person for person, _ in streamed}) == len(streamed), "each person once"
    return dict(streamed)


def facts(license_id: uuid.UUID, account_id: uuid.UUID | None, product: str, *, as_of: datetime,
          end: date | None = date(2030, 12, 31), void: bool = False,
          organization_id: uuid.UUID | None = None) -> HoldingFacts:  # fmt: skip
    return HoldingFacts(
        license_id=license_id,
        as_of=as_of,
        account_id=account_id,
        serial=f"SN-{license_id.hex[:10].upper()}",
        product=product,
        coverage_start=None if end is None else date(2025, 1, 1),
        coverage_end=end,
        void=void,
        organization_id=organization_id,
    )


@pytest.mark.parametrize("service", SERVICES_WITH_HOLDINGS)
async def test_the_newest_event_wins_whatever_the_order_of_arrival(
    service_session: ServiceSession, service: str
) -> None:
    table, license_id, account = holdings_table(service), uuid.uuid4(), uuid.uuid4()
    product = f"HLD{uuid.uuid4().hex[:6].upper()}"
    async with service_session(service) as session:
        await apply_holding(
            session, table, facts(license_id, account, product, as_of=T0, end=date(2027, 1, 1))
        )
        renewed = facts(license_id, account, product, as_of=T0 + timedelta(hours=1), end=date(2029, 1, 1))
        await apply_holding(session, table, renewed)
        # The first state again, redelivered late: older than the row, so it changes nothing.
        await apply_holding(
            session, table, facts(license_id, account, product, as_of=T0, end=date(2027, 1, 1))
        )

        row = await row_of(session, table, license_id)
        assert row is not None
        assert (row.coverage_end, row.as_of, row.serial) == (date(2029, 1, 1), renewed.as_of, renewed.serial)
        assert await holdings_of(session, table, account, None) == [
            Holding(product, Period(date(2025, 1, 1), date(2029, 1, 1)))
        ]


@pytest.mark.parametrize("service", SERVICES_WITH_HOLDINGS)
async def test_a_void_hides_the_holding_and_a_later_binding_brings_it_back(
    service_session: ServiceSession, service: str
) -> None:
    table, license_id, account = holdings_table(service), uuid.uuid4(), uuid.uuid4()
    product = f"HLD{uuid.uuid4().hex[:6].upper()}"
    async with service_session(service) as session:
        await apply_holding(session, table, facts(license_id, account, product, as_of=T0))
        # A void that carries no coverage only flips the flag of the license already projected.
        await apply_holding(
            session,
            table,
            facts(license_id, None, product, as_of=T0 + timedelta(minutes=5), end=None, void=True),
        )
        assert await holdings_of(session, table, account, None) == []
        assert await all_holders(session, table, memberships_table(service), product) == {}

        await apply_holding(
            session, table, facts(license_id, account, product, as_of=T0 + timedelta(minutes=9))
        )
        assert list(await all_holders(session, table, memberships_table(service), product)) == [account]


@pytest.mark.parametrize("service", SERVICES_WITH_HOLDINGS)
async def test_a_void_of_a_license_never_projected_writes_nothing(
    service_session: ServiceSession, service: str
) -> None:
    table, license_id = holdings_table(service), uuid.uuid4()
    async with service_session(service) as session:
        await apply_holding(session, table, facts(license_id, None, "HLDVOID", as_of=T0, end=None, void=True))
        assert await row_of(session, table, license_id) is None


async def test_nothing_a_rolled_back_session_wrote_is_left(service_session: ServiceSession) -> None:
    table, license_id = holdings_table("notifier"), uuid.uuid4()
    async with service_session("notifier") as session:
        await apply_holding(session, table, facts(license_id, uuid.uuid4(), "HLDGONE", as_of=T0))
        await session.commit()  # service code that commits only releases a savepoint
    async with service_session("notifier") as session:
        assert await row_of(session, table, license_id) is None


@pytest.mark.parametrize("service", SERVICES_WITH_HOLDINGS)
async def test_an_organizations_holding_is_every_current_members_and_only_theirs(
    service_session: ServiceSession, service: str
) -> None:
    table, memberships = holdings_table(service), memberships_table(service)
    organization, binder, colleague, former, outsider = (uuid.uuid4() for _ in range(5))
    product = f"HLD{uuid.uuid4().hex[:6].upper()}"
    held = [Holding(product, Period(date(2025, 1, 1), date(2030, 12, 31)))]
    async with service_session(service) as session:
        for person in (binder, colleague, former):
            await apply_membership(session, memberships, person, organization, T0)
        license_id = uuid.uuid4()
        await apply_holding(
            session, table, facts(license_id, binder, product, as_of=T0, organization_id=organization)
        )
        # The colleague's own license stays theirs alone.
        await apply_holding(session, table, facts(uuid.uuid4(), colleague, product, as_of=T0))
        await apply_membership(session, memberships, former, None, T0 + timedelta(minutes=1))
        # A late copy of the old "added" event cannot bring the former member back.
        await apply_membership(session, memberships, former, organization, T0)

        assert await organization_of(session, memberships, former) is None
        for person in (binder, colleague):
            mine = await holdings_of(
                session, table, person, await organization_of(session, memberships, person)
            )
            assert len(mine) == (2 if person == colleague else 1)
        assert await holdings_of(session, table, former, None) == []
        assert await holdings_of(session, table, outsider, uuid.uuid4()) == []
        holders = await all_holders(session, table, memberships, product)
        assert set(holders) == {binder, colleague}, "members once each; former members and outsiders never"
        assert holders[binder] == held and len(holders[colleague]) == 2

        row = await row_of(session, table, license_id)
        assert row is not None and row.organization_id == organization


def test_held_by_is_the_same_rule_for_one_row() -> None:
    organization, binder, colleague = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    owned = facts(uuid.uuid4(), binder, "P", as_of=T0, organization_id=organization)
    personal = facts(uuid.uuid4(), binder, "P", as_of=T0)
    assert held_by(owned, colleague, organization) and held_by(owned, binder, organization)
    assert not held_by(owned, binder, None), "who left the organization keeps nothing of it"
    assert held_by(personal, binder, organization) and not held_by(personal, colleague, organization)
