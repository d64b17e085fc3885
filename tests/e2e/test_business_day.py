"""One business day for every service.

Coverage dates are calendar days of the vendor's business calendar (Asia/Taipei). At 01:00 in
Taipei on the day after a coverage end it is still the end day in UTC, and that is exactly when
services that took the UTC date used to disagree: cases said "lapsed" while licensing said
"covered" and the notifier still mailed the new release. Here the license is issued and bound
the real way (identity, licensing, Kafka into each service's holdings projection); then, with
the clock frozen, each service's own functions decide on its own PostgreSQL database:

- licensing: the customer's license list says `lapsed` (or still covered);
- cases: opening a case is refused with `no-active-coverage` (or accepted);
- downloads: a release the release tool publishes at that moment is locked (or entitled);
- the notifier: that release's mail is not queued for the customer (or is).

Every write is rolled back, so the running services never see these decisions.
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import service as cases
from services.cases.config import Settings as CasesSettings
from services.cases.models import HOLDINGS as CASES_HOLDINGS
from services.cases.problems import NO_ACTIVE_COVERAGE
from services.cases.schemas import CaseCreate
from services.downloads import service as downloads
from services.downloads.models import HOLDINGS as DOWNLOADS_HOLDINGS
from services.downloads.release_dates import publication_date
from services.downloads.release_ids import release_id_of
from services.downloads.releases import SERVICE as DOWNLOADS
from services.licensing.config import Settings as LicensingSettings
from services.licensing.service.my_licenses import my_licenses
from services.notifier.config import Settings as NotifierSettings
from services.notifier.handlers import build_handlers
from services.notifier.models import HOLDINGS as NOTIFIER_HOLDINGS
from shared import clock
from shared.auth import Principal
from shared.db import make_engine, make_sessionmaker
from shared.driver_sql import driver_connection
from shared.events import Envelope, ReleasePublished
from shared.http.problems import Problem
from tests.accounts import register_customer
from tests.conftest import database_url
from tests.events import release_published
from tests.kit import eventually
from tests.licensing.helpers import API, create_staff, issue_license, lookup, wait_until_licensing_knows

TAIPEI = ZoneInfo("Asia/Taipei")
COVERAGE_END = date(2026, 3, 31)
# 23:00 Taipei on the end day is 15:00 UTC on the end day: covered, whichever date one takes.
LAST_HOUR = datetime.combine(COVERAGE_END, time(23, 0), TAIPEI)
# 01:00 Taipei the day after is 17:00 UTC on the end day: the hour a UTC date gets wrong.
FIRST_HOUR_AFTER = datetime.combine(COVERAGE_END + timedelta(days=1), time(1, 0), TAIPEI)
SERVICES = ("licensing", "cases", "downloads", "notifier")
HOLDING_TABLES = {"cases": CASES_HOLDINGS, "downloads": DOWNLOADS_HOLDINGS, "notifier": NOTIFIER_HOLDINGS}


@dataclass
class Customer:
    principal: Principal
    email: str
    license_id: uuid.UUID
    product: str


@dataclass
class Verdicts:
    """Each service's answer to "is this license covered right now?"."""

    licensing: bool
    cases: bool
    downloads: bool
    notifier: bool


@pytest.fixture(scope="module")
async def databases(stack: dict[str, Any]) -> AsyncIterator[dict[str, async_sessionmaker[AsyncSession]]]:
    engines = {
        name: make_engine(stack["services"][name]["env"][f"{name.upper()}_DATABASE_URL"], pool_size=1)
        for name in SERVICES
    }
    yield {name: make_sessionmaker(engine) for name, engine in engines.items()}
    for engine in engines.values():
        await engine.dispose()


async def _projected(stack: dict[str, Any], service: str, query: str, *args: Any) -> None:
    connection = await asyncpg.connect(database_url(stack, service))
    try:
        await eventually(lambda: connection.fetchval(query, *args), timeout=60, what=f"{service}: {query}")
    finally:
        await connection.close()


@pytest.fixture(scope="module")
async def customer(stack: dict[str, Any], gateway: httpx.AsyncClient) -> Customer:
    """A customer whose only license's coverage (its warranty) ends on COVERAGE_END."""
    async with httpx.AsyncClient(base_url=stack["services"]["identity"]["url"], timeout=30) as identity:
        staff = await create_staff(stack)
        issued = await issue_license(
            gateway,
            staff,
            purchased_on=str(COVERAGE_END - timedelta(days=365)),
            warranty_ends=str(COVERAGE_END),
        )
        account = await register_customer(identity, staff)
        await wait_until_licensing_knows(gateway, account)
        bound = await gateway.post(f"{API}/me/licenses", json=lookup(issued), headers=account.headers)
        assert bound.status_code == 201, bound.text
    license_id = uuid.UUID(bound.json()["id"])
    for service, table in HOLDING_TABLES.items():
        held = f"SELECT coverage_end = $2 FROM {table.name} WHERE license_id = $1 AND NOT void"  # noqa: S608 - table names are ours
        await _projected(stack, service, held, license_id, COVERAGE_END)
    await _projected(
        stack, "notifier", "SELECT true FROM recipient WHERE user_id = $1", uuid.UUID(str(account.user_id))
    )
    principal = Principal(
        user_id=uuid.UUID(str(account.user_id)), roles=frozenset({"customer"}), email=account.email
    )
    return Customer(principal, account.email, license_id, issued["product"])


async def _licensing_covers(
    sessions: async_sessionmaker[AsyncSession], stack: dict[str, Any], customer: Customer
) -> bool:
    settings = LicensingSettings(database_url=stack["services"]["licensing"]["env"]["LICENSING_DATABASE_URL"])
    async with sessions() as session:
        views = await my_licenses(await driver_connection(session), settings, customer.principal)
    [view] = [v for v in views if v.id == customer.license_id]
    assert view.coverage.end == COVERAGE_END
    return view.status != "lapsed"


async def _cases_accept(sessions: async_sessionmaker[AsyncSession], customer: Customer) -> bool:
    request = CaseCreate(
        license_id=customer.license_id,
        category="bug",
        subject="Workflow engine stops at midnight",
        description="The scheduler skips the first job after midnight.",
    )
    settings = CasesSettings()
    async with sessions() as session:
        try:
            # The endpoint's call: the day is the clock's business day.
            await cases.open_case(
                session,
                customer.principal.user_id,
                request,
                today=clock.today(),
                rules=settings.rules(),
                number_prefix=settings.case_number_prefix,
            )
        except Problem as refusal:
            assert refusal.type is NO_ACTIVE_COVERAGE, refusal
            return False
        finally:
            await session.rollback()
    return True


def _release_published_now(product: str) -> ReleasePublished:
    """What publishing a new release announces at this moment."""
    version = f"9.{uuid.uuid4().int % 10_000}.0"
    return release_published(
        product,
        version,
        release_id=release_id_of(product, version, "update"),
        published_on=publication_date(None, None),
    )


async def _downloads_entitle(
    sessions: async_sessionmaker[AsyncSession], customer: Customer, release: ReleasePublished
) -> bool:
    async with sessions() as session:
        try:
            await downloads.record_release(session, release)
            views = await downloads.list_releases(session, customer.principal, "en", product=customer.product)
            [view] = [v for v in views if v.release.release_id == release.release_id]
            return view.entitled
        finally:
            await session.rollback()


async def _notifier_mails(
    sessions: async_sessionmaker[AsyncSession],
    stack: dict[str, Any],
    customer: Customer,
    release: ReleasePublished,
) -> bool:
    env = stack["services"]["notifier"]["env"]
    settings = NotifierSettings(
        database_url=env["NOTIFIER_DATABASE_URL"], public_url=env["NOTIFIER_PUBLIC_URL"]
    )
    handlers = build_handlers(settings)
    async with sessions() as session:
        try:
            await handlers[ReleasePublished](session, Envelope.wrap(release, source=DOWNLOADS))
            queued = await session.execute(
                text(
                    "SELECT count(*) FROM delivery WHERE event_id = :release AND email = :email AND kind = 'release'"
                ),
                {"release": release.release_id, "email": customer.email},
            )
            return queued.scalar_one() == 1
        finally:
            await session.rollback()


async def _verdicts_at(
    moment: datetime,
    databases: dict[str, async_sessionmaker[AsyncSession]],
    stack: dict[str, Any],
    customer: Customer,
) -> Verdicts:
    with clock.frozen_at(moment):
        release = _release_published_now(customer.product)
        return Verdicts(
            licensing=await _licensing_covers(databases["licensing"], stack, customer),
            cases=await _cases_accept(databases["cases"], customer),
            downloads=await _downloads_entitle(databases["downloads"], customer, release),
            notifier=await _notifier_mails(databases["notifier"], stack, customer, release),
        )


async def test_an_hour_after_midnight_in_taipei_every_service_says_lapsed(
    databases: dict[str, async_sessionmaker[AsyncSession]], stack: dict[str, Any], customer: Customer
) -> None:
    assert clock.business_date(FIRST_HOUR_AFTER) == COVERAGE_END + timedelta(days=1)
    assert FIRST_HOUR_AFTER.astimezone(UTC).date() == COVERAGE_END  # the trap: UTC says "end day"
    verdicts = await _verdicts_at(FIRST_HOUR_AFTER, databases, stack, customer)
    assert verdicts == Verdicts(licensing=False, cases=False, downloads=False, notifier=False)


async def test_an_hour_before_midnight_in_taipei_every_service_says_covered(
    databases: dict[str, async_sessionmaker[AsyncSession]], stack: dict[str, Any], customer: Customer
) -> None:
    verdicts = await _verdicts_at(LAST_HOUR, databases, stack, customer)
    assert verdicts == Verdicts(licensing=True, cases=True, downloads=True, notifier=True)
