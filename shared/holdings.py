"""The holdings projection: who holds which license, with what coverage, from licensing's events.

Downloads, cases and the notifier each keep a copy in their own database, a table declared
from `HoldingRecord`. This module
is the one place that reads licensing's events into it and reads it back as
`shared.entitlements.Holding`s, so every service applies the same rule to the same facts.

Holdings are keyed by owner: a license bound by a member of an organization belongs to the
organization (`organization_id` set; `account_id` is who bound it), any other to the account
alone. A person's holdings are their own plus their organization's (`holdings_of`), and the
entitlement rule in `shared.entitlements` stays one pure function of them.

Every licensing event carries the license's whole state, so the newest one is the truth:
rows are written last-writer-wins by event time (`as_of`), which makes a late or replayed older
event harmless; redelivery of the same event is absorbed by the consumer's inbox.
"""

import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Insert,
    Table,
    Text,
    and_,
    bindparam,
    func,
    or_,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.types import TypeEngine
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.consumer import SetWise, newest_per_key
from shared.entitlements import Holding, Period
from shared.events import (
    BindingMoved,
    ContractBound,
    Envelope,
    Event,
    LicenseBound,
    LicenseRestored,
    LicenseVoided,
)


class HoldingRecord(SQLModel):
    """The columns of one projected license; a service declares its table from it:
    `class Holding(Base, HoldingRecord, table=True)` with its own name and indexes.

    `as_of` is the time of the licensing event that last wrote the row: an older event that
    arrives late (redelivery, replay) never overwrites a newer state. `serial` is empty only on
    rows projected before the service kept serials, until the license's next event.
    """

    license_id: UUID = Field(primary_key=True)
    account_id: UUID  # who bound it
    organization_id: UUID | None = Field(default=None, index=True)  # the owner, if an organization
    serial: str | None = Field(default=None, max_length=64)
    product: str = Field(max_length=64)
    coverage_start: date
    coverage_end: date
    void: bool = False
    as_of: datetime = Field(sa_type=DateTime(timezone=True))


@dataclass(frozen=True)
class HoldingFacts:
    """What one licensing event says about one license, as of the event's time."""

    license_id: UUID
    as_of: datetime
    account_id: UUID | None
    serial: str
    product: str
    coverage_start: date | None
    coverage_end: date | None
    void: bool = False
    organization_id: UUID | None = None

    @property
    def complete(self) -> bool:
        return (
            self.account_id is not None and self.coverage_start is not None and self.coverage_end is not None
        )


def facts_of(envelope: Envelope[Any]) -> HoldingFacts:
    event = envelope.data
    match event:
        case LicenseBound() | ContractBound():
            return HoldingFacts(event.license_id, envelope.time, event.account_id, event.serial, event.product,
                                event.coverage_start, event.coverage_end,
                                organization_id=event.organization_id)  # fmt: skip
        case LicenseVoided():
            return HoldingFacts(event.license_id, envelope.time, event.account_id, event.serial, event.product,
                                event.coverage_start, event.coverage_end, void=event.license_void,
                                organization_id=event.organization_id)  # fmt: skip
        case LicenseRestored():
            # Not void any more: an unbound license (no account) only clears the flag.
            return HoldingFacts(event.license_id, envelope.time, event.account_id, event.serial, event.product,
                                event.coverage_start, event.coverage_end,
                                organization_id=event.organization_id)  # fmt: skip
        case BindingMoved():
            return HoldingFacts(event.license_id, envelope.time, event.to_account_id, event.serial, event.product,
                                event.coverage_start, event.coverage_end,
                                organization_id=event.organization_id)  # fmt: skip
    raise TypeError(f"{type(event).__name__} says nothing about holdings")


async def apply_holding(session: AsyncSession, table: Table, facts: HoldingFacts) -> None:
    newer = table.c.as_of <= facts.as_of
    if facts.complete:
        values: dict[str, Any] = {
            "license_id": facts.license_id,
            "account_id": facts.account_id,
            "organization_id": facts.organization_id,
            "product": facts.product,
            "coverage_start": facts.coverage_start,
            "coverage_end": facts.coverage_end,
            "void": facts.void,
            "as_of": facts.as_of,
            "serial": facts.serial,
        }
        statement = insert(table).values(**values)
        await session.exec(
            statement.on_conflict_do_update(
                index_elements=[table.c.license_id],
                set_={name: statement.excluded[name] for name in values if name != "license_id"},
                where=newer,
            )
        )
        return
    # A void that leaves no coverage: only a license already projected can be voided.
    changes: dict[str, Any] = {"void": facts.void, "as_of": facts.as_of}
    if facts.account_id is not None:
        changes["account_id"] = facts.account_id
        changes["organization_id"] = facts.organization_id
    await session.exec(update(table).where(table.c.license_id == facts.license_id, newer).values(**changes))


# The columns a complete fact writes, with their types for the set-wise upsert's arrays.
_UPSERT_COLUMNS: dict[str, TypeEngine[Any]] = {
    "license_id": PG_UUID(as_uuid=True),
    "account_id": PG_UUID(as_uuid=True),
    "organization_id": PG_UUID(as_uuid=True),
    "serial": Text(),
    "product": Text(),
    "coverage_start": Date(),
    "coverage_end": Date(),
    "void": Boolean(),
    "as_of": DateTime(timezone=True),
}


def _upsert_many(table: Table) -> Insert:
    """`apply_holding`'s upsert for many licenses in one statement of a fixed shape (one array
    per column, unnested), so it is compiled and prepared once whatever the batch's size."""
    names = list(_UPSERT_COLUMNS)
    rows = (
        func.unnest(*(bindparam(name, type_=ARRAY(type_)) for name, type_ in _UPSERT_COLUMNS.items()))
        .table_valued(*names)
        .render_derived()
    )
    statement = insert(table).from_select(names, select(*(rows.c[name] for name in names)))
    return statement.on_conflict_do_update(
        index_elements=[table.c.license_id],
        set_={name: statement.excluded[name] for name in names if name != "license_id"},
        where=table.c.as_of <= statement.excluded.as_of,
    )


async def apply_holdings(
    session: AsyncSession, table: Table, facts: Sequence[HoldingFacts], *, upsert_many: Insert
) -> None:
    """`apply_holding` for several facts in order, with the same result: each run of complete
    facts is one statement, `upsert_many` (`_upsert_many(table)`, built once by the caller; a
    burst of binds is one round trip instead of one each); a void that leaves no coverage, which
    only updates, is applied alone in its place."""
    for complete, grouped in itertools.groupby(facts, key=lambda f: f.complete):
        run = list(grouped)
        if not complete or len(run) == 1:
            for one in run:
                await apply_holding(session, table, one)
            continue
        newest = newest_per_key(run, key=lambda f: f.license_id, as_of=lambda f: f.as_of)
        await session.exec(
            upsert_many,
            params={name: [getattr(f, name) for f in newest] for name in _UPSERT_COLUMNS},
        )


def holding_handlers(table: Table) -> dict[type[Event], SetWise]:
    """The consumer handlers that keep `table` true to licensing's events: one set-wise handler
    for all of them, so a batch's consecutive licensing events are applied together."""
    upsert_many = _upsert_many(table)

    async def project(session: AsyncSession, envelopes: list[Envelope[Any]]) -> None:
        await apply_holdings(session, table, [facts_of(e) for e in envelopes], upsert_many=upsert_many)

    handler = SetWise(project)
    return {
        LicenseBound: handler,
        ContractBound: handler,
        LicenseVoided: handler,
        LicenseRestored: handler,
        BindingMoved: handler,
    }


class Owned(Protocol):
    """Anything that names who bound it and its owning organization (a holding, its facts)."""

    @property
    def account_id(self) -> UUID | None: ...
    @property
    def organization_id(self) -> UUID | None: ...


def held_by(holding: Owned, account_id: UUID, organization_id: UUID | None) -> bool:
    """`owned_by` for one row: the account's own holding, or one of its organization's."""
    if holding.organization_id is not None:
        return holding.organization_id == organization_id
    return holding.account_id == account_id


def _personal(table: Table, account_id: UUID | BindParameter[UUID]) -> ColumnElement[bool]:
    """A person's own rows: bound by them and not their organization's."""
    return and_(table.c.account_id == account_id, table.c.organization_id.is_(None))


def owned_by(table: Table, account_id: UUID, organization_id: UUID | None) -> ColumnElement[bool]:
    """The rows a person may use: those they own personally and those of their organization
    (`organization_id` from the service's memberships projection, None if they have none)."""
    if organization_id is None:
        return _personal(table, account_id)
    return or_(_personal(table, account_id), table.c.organization_id == organization_id)


def owned_by_member(
    table: Table, account_id: UUID | BindParameter[UUID], memberships: Table
) -> ColumnElement[bool]:
    """`owned_by` with the organization looked up inside the same statement (a hot path's one
    round trip): the person's own rows, and those of the organization they belong to now.
    `account_id` may be a bound parameter, for a statement compiled once (shared.driver_sql)."""
    organization = select(memberships.c.organization_id).where(memberships.c.user_id == account_id)
    return or_(_personal(table, account_id), table.c.organization_id == organization.scalar_subquery())


async def holdings_of(
    session: AsyncSession, table: Table, account_id: UUID, organization_id: UUID | None
) -> list[Holding]:
    """A person's live (not voided) holdings, as the entitlement rule takes them."""
    rows = await session.exec(
        select(table.c.product, table.c.coverage_start, table.c.coverage_end).where(
            owned_by(table, account_id, organization_id), table.c.void.is_(False)
        )
    )
    return [Holding(product, Period(start, end)) for product, start, end in rows.all()]


# Rows a fan-out's cursor fetches at a time.
_STREAM_ROWS = 2000


async def holders_of(
    session: AsyncSession, table: Table, memberships: Table, product: str
) -> AsyncIterator[tuple[UUID, list[Holding]]]:
    """Every person entitled through a live holding of `product`, one at a time with their
    holdings (for release fan-out): personal holders, and each current member of an owning
    organization; a member entitled twice (their own and their organization's) comes once.
    Streamed in person order from a server-side cursor, so a release to 100,000 people does not
    hold 100,000 people's holdings in memory at once; the caller's transaction must stay open
    while it iterates."""
    live = and_(table.c.product == product, table.c.void.is_(False))
    personal = select(table.c.account_id.label("person"), table.c.coverage_start, table.c.coverage_end).where(
        live, table.c.organization_id.is_(None)
    )
    through_organization = (
        select(memberships.c.user_id.label("person"), table.c.coverage_start, table.c.coverage_end)
        .join_from(table, memberships, memberships.c.organization_id == table.c.organization_id)
        .where(live)
    )
    query = union_all(personal, through_organization).order_by("person")
    rows = await session.stream(query.execution_options(yield_per=_STREAM_ROWS))
    person: UUID | None = None
    held: list[Holding] = []
    async for next_person, start, end in rows:
        if next_person != person:
            if person is not None:
                yield person, held
            person, held = next_person, []
        held.append(Holding(product, Period(start, end)))
    if person is not None:
        yield person, held
