"""Event consumers: the release catalog and the entitlement projection.

Effects go only through `session`; the consumer wrapper owns the transaction and the inbox.
"""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.downloads import service
from services.downloads.models import HOLDINGS, MEMBERSHIPS
from shared.events import Envelope, ReleasePublished
from shared.holdings import holding_handlers
from shared.memberships import membership_handlers


async def on_release_published(session: AsyncSession, envelope: Envelope[ReleasePublished]) -> None:
    # Our own events: the publishing transaction already wrote the catalog (a late copy of an
    # older correction must not overwrite a newer one).
    if envelope.source == service.SERVICE:
        return
    await service.record_release(session, envelope.data)


HANDLERS: dict[type[Any], Any] = {
    ReleasePublished: on_release_published,
    **holding_handlers(HOLDINGS),
    **membership_handlers(MEMBERSHIPS),
}
