"""Event consumers: the release catalog and the entitlement projection.

Effects go only through `session`; the consumer wrapper owns the transaction and the inbox.
"""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.downloads import service
from services.downloads.service import HoldingFacts
from shared.events import (
    BindingMoved,
    ContractBound,
    Envelope,
    LicenseBound,
    LicenseVoided,
    ReleasePublished,
)


async def on_release_published(session: AsyncSession, envelope: Envelope[ReleasePublished]) -> None:
    await service.record_release(session, envelope.data)


async def on_license_bound(session: AsyncSession, envelope: Envelope[LicenseBound]) -> None:
    event = envelope.data
    await service.apply_holding(
        session,
        HoldingFacts(
            event.license_id,
            envelope.time,
            event.account_id,
            event.product,
            event.coverage_start,
            event.coverage_end,
        ),
    )


async def on_contract_bound(session: AsyncSession, envelope: Envelope[ContractBound]) -> None:
    event = envelope.data
    await service.apply_holding(
        session,
        HoldingFacts(
            event.license_id,
            envelope.time,
            event.account_id,
            event.product,
            event.coverage_start,
            event.coverage_end,
        ),
    )


async def on_license_voided(session: AsyncSession, envelope: Envelope[LicenseVoided]) -> None:
    event = envelope.data
    await service.apply_holding(
        session,
        HoldingFacts(
            event.license_id,
            envelope.time,
            event.account_id,
            event.product,
            event.coverage_start,
            event.coverage_end,
            void=event.license_void,
        ),
    )


async def on_binding_moved(session: AsyncSession, envelope: Envelope[BindingMoved]) -> None:
    event = envelope.data
    await service.apply_holding(
        session,
        HoldingFacts(
            event.license_id,
            envelope.time,
            event.to_account_id,
            event.product,
            event.coverage_start,
            event.coverage_end,
        ),
    )


HANDLERS: dict[type[Any], Any] = {
    ReleasePublished: on_release_published,
    LicenseBound: on_license_bound,
    ContractBound: on_contract_bound,
    LicenseVoided: on_license_voided,
    BindingMoved: on_binding_moved,
}
