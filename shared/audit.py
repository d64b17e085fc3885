"""The audit trail: who did what to which object, when, why, and what changed.

Every service that lets staff change something keeps one `audit` table of this shape (it
declares `class AuditEntry(Base, AuditRecord, table=True)`), written with `record` in the same
transaction as the change itself, so an action and its audit line commit or vanish together,
and read back with `page` for the back-office screens.
"""

from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

from sqlalchemy import DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import clock

SYSTEM = "system"  # actor_email of actions taken by a command line or a scheduled job


class AuditRecord(SQLModel):
    """The columns of a service's `audit` table (indexes on `at` and `target` in its migration)."""

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    at: datetime = Field(
        default_factory=clock.now, sa_type=DateTime(timezone=True), nullable=False, index=True
    )
    actor_id: UUID | None = None  # None: a command line or a scheduled job
    actor_email: str = Field(default=SYSTEM, max_length=320)
    action: str = Field(max_length=40)
    target: str = Field(max_length=200, index=True)  # what was acted on: a user id, a serial, …
    reason: str = Field(default="", max_length=500)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)


A = TypeVar("A", bound=AuditRecord)


def record(
    session: AsyncSession,
    model: type[A],
    *,
    actor_id: UUID | None,
    actor_email: str = SYSTEM,
    action: str,
    target: str,
    reason: str = "",
    **details: Any,
) -> A:
    """Add one audit line to the caller's transaction."""
    entry = model(
        actor_id=actor_id,
        actor_email=actor_email,
        action=action,
        target=target,
        reason=reason,
        details=details,
    )
    session.add(entry)
    return entry


async def page(
    session: AsyncSession,
    model: type[A],
    *,
    target: str | None = None,
    action: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[A], int]:
    """Newest first, optionally for one target or one action; with the total for paging."""
    query = select(model)
    counted = select(func.count()).select_from(model)
    if target is not None:
        query = query.where(col(model.target) == target)
        counted = counted.where(col(model.target) == target)
    if action is not None:
        query = query.where(col(model.action) == action)
        counted = counted.where(col(model.action) == action)
    rows = await session.exec(query.order_by(col(model.at).desc()).limit(limit).offset(offset))
    total = (await session.exec(counted)).one()
    return list(rows), int(total)
