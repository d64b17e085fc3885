"""Organization names as licensing knows them: the licensee of an organization's license files.

Identity's `OrganizationMemberAdded` carries the name (licensing applies every membership, so it
knows the name of every organization that can own a license) and `OrganizationRenamed` changes
it. The two ride different keys (user, organization), so they may arrive out of order: a row is
replaced only by an event at least as new as the one that wrote it.
"""

from datetime import datetime
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing.models import Base, OrganizationName

ORGANIZATION_NAMES = Base.metadata.tables[OrganizationName.__tablename__]


async def record_organization_name(
    session: AsyncSession, organization_id: UUID, name: str, as_of: datetime
) -> None:
    statement = insert(ORGANIZATION_NAMES).values(organization_id=organization_id, name=name, as_of=as_of)
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=[ORGANIZATION_NAMES.c.organization_id],
            set_={"name": name, "as_of": as_of},
            where=ORGANIZATION_NAMES.c.as_of <= as_of,
        )
    )


async def organization_name(session: AsyncSession, organization_id: UUID) -> str | None:
    # One column: `exec` yields the value itself, None when licensing has not heard of it.
    found = await session.exec(
        select(ORGANIZATION_NAMES.c.name).where(ORGANIZATION_NAMES.c.organization_id == organization_id)
    )
    name: str | None = found.first()
    return name


async def organization_names(session: AsyncSession, organization_ids: set[UUID]) -> dict[UUID, str]:
    if not organization_ids:
        return {}
    rows = await session.exec(
        select(ORGANIZATION_NAMES.c.organization_id, ORGANIZATION_NAMES.c.name).where(
            ORGANIZATION_NAMES.c.organization_id.in_(organization_ids)
        )
    )
    return dict(rows.all())
