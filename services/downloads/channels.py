"""Release channels: `stable` for everyone entitled, `preview` for accounts that opted in.

The choice lives here, beside the catalog it filters; the rule is `shared.entitlements.
sees_channel`. The release mail follows the same rule: a preview release's event names the
opted-in holders (`ReleasePublished.preview_accounts`), so the notifier keeps no copy.
"""

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.downloads.models import HOLDINGS, MEMBERSHIPS, ChannelChoice


async def preview_opted_in(session: AsyncSession, account_id: UUID) -> bool:
    choice = await session.get(ChannelChoice, account_id)
    return choice is not None and choice.preview


async def choose_preview(session: AsyncSession, account_id: UUID, preview: bool) -> bool:
    statement = insert(ChannelChoice).values(account_id=account_id, preview=preview, updated_at=func.now())
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[col(ChannelChoice.account_id)],
            set_={"preview": preview, "updated_at": func.now()},
        )
    )
    return preview


async def preview_holders(session: AsyncSession, product: str) -> list[UUID]:
    """Holders of `product` (any bound, non-void license, their own or their organization's)
    who opted in to previews."""
    live = (HOLDINGS.c.product == product) & ~HOLDINGS.c.void
    personal = select(HOLDINGS.c.account_id).where(live, HOLDINGS.c.organization_id.is_(None))
    members = select(MEMBERSHIPS.c.user_id).where(
        MEMBERSHIPS.c.organization_id.in_(select(HOLDINGS.c.organization_id).where(live))
    )
    rows = await session.execute(
        select(col(ChannelChoice.account_id))
        .where(
            col(ChannelChoice.preview),
            col(ChannelChoice.account_id).in_(personal.union(members)),
        )
        .order_by(col(ChannelChoice.account_id))
    )
    return list(rows.scalars())
