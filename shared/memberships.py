"""The memberships projection: which organization each account belongs to, from identity's
events. Licensing, downloads, cases and the notifier each keep a copy (a table declared from
`MembershipRecord`) and grant organization access from it, so a removed member is refused as
soon as the removal event is applied, whatever their access token still says.

Rows are written last-writer-wins by event time (`as_of`), as the holdings projection is: a late
or replayed older event never undoes a newer membership; redelivery is absorbed by the inbox.
A removal keeps the row with no organization, so an older "added" arriving late stays ignored.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, Table
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events import (
    Envelope,
    Event,
    OrganizationDissolved,
    OrganizationMemberAdded,
    OrganizationMemberRemoved,
)

Handler = Callable[[AsyncSession, Envelope[Any]], Awaitable[None]]


class MembershipRecord(SQLModel):
    """One account's membership; a service declares its table from it:
    `class Membership(Base, MembershipRecord, table=True)` with `__tablename__ = "memberships"`."""

    user_id: UUID = Field(primary_key=True)
    organization_id: UUID | None = Field(default=None, index=True)
    as_of: datetime = Field(sa_type=DateTime(timezone=True))


async def apply_membership(
    session: AsyncSession, table: Table, user_id: UUID, organization_id: UUID | None, as_of: datetime
) -> None:
    statement = insert(table).values(user_id=user_id, organization_id=organization_id, as_of=as_of)
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=[table.c.user_id],
            set_={"organization_id": organization_id, "as_of": as_of},
            where=table.c.as_of <= as_of,
        )
    )


def membership_handlers(table: Table) -> dict[type[Event], Handler]:
    """The consumer handlers that keep `table` true to identity's membership events."""

    async def added(session: AsyncSession, envelope: Envelope[OrganizationMemberAdded]) -> None:
        event = envelope.data
        await apply_membership(session, table, event.user_id, event.organization_id, envelope.time)

    async def removed(session: AsyncSession, envelope: Envelope[OrganizationMemberRemoved]) -> None:
        await apply_membership(session, table, envelope.data.user_id, None, envelope.time)

    async def dissolved(session: AsyncSession, envelope: Envelope[OrganizationDissolved]) -> None:
        await apply_membership(session, table, envelope.data.user_id, None, envelope.time)

    return {
        OrganizationMemberAdded: added,
        OrganizationMemberRemoved: removed,
        OrganizationDissolved: dissolved,
    }


async def organization_of(session: AsyncSession, table: Table, user_id: UUID) -> UUID | None:
    """The organization the account belongs to now, as far as this service has heard."""
    # One column: `exec` yields the value itself (no row), None when the account has no row.
    found = await session.exec(select(table.c.organization_id).where(table.c.user_id == user_id))
    organization_id: UUID | None = found.first()
    return organization_id


# --- migrations -------------------------------------------------------------------------------

MEMBERSHIPS = "memberships"


def create_memberships_table() -> None:
    """For a service's migration: the table its `MembershipRecord` model declares."""
    import sqlalchemy as sa
    from alembic import op

    op.create_table(
        MEMBERSHIPS,
        sa.Column("user_id", sa.Uuid(), primary_key=True),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(f"ix_{MEMBERSHIPS}_organization_id", MEMBERSHIPS, ["organization_id"])


def add_holding_owner(holdings_table: str) -> None:
    """For a service's migration: the owning organization on its holdings projection (existing
    rows stay personal until the license's next event says otherwise)."""
    import sqlalchemy as sa
    from alembic import op

    op.add_column(holdings_table, sa.Column("organization_id", sa.Uuid(), nullable=True))
    op.create_index(f"ix_{holdings_table}_organization_id", holdings_table, ["organization_id"])


def drop_organization_tables(holdings_table: str) -> None:
    from alembic import op

    op.drop_index(f"ix_{holdings_table}_organization_id", holdings_table)
    op.drop_column(holdings_table, "organization_id")
    op.drop_table(MEMBERSHIPS)
