"""Event consumers: licenses (who may open cases) and people (names for staff views).

Effects go only through `session`; the consumer wrapper owns the transaction and the inbox.
"""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases import service
from services.cases.service import HoldingFacts
from shared.events import (
    BindingMoved,
    ContractBound,
    Envelope,
    LicenseBound,
    LicenseVoided,
    UserProfileChanged,
    UserVerified,
)


async def on_license_bound(session: AsyncSession, envelope: Envelope[LicenseBound]) -> None:
    e = envelope.data
    await service.apply_holding(
        session,
        HoldingFacts(
            e.license_id, envelope.time, e.account_id, e.serial, e.product, e.coverage_start, e.coverage_end
        ),
    )


async def on_contract_bound(session: AsyncSession, envelope: Envelope[ContractBound]) -> None:
    e = envelope.data
    await service.apply_holding(
        session,
        HoldingFacts(
            e.license_id, envelope.time, e.account_id, e.serial, e.product, e.coverage_start, e.coverage_end
        ),
    )


async def on_license_voided(session: AsyncSession, envelope: Envelope[LicenseVoided]) -> None:
    e = envelope.data
    await service.apply_holding(
        session,
        HoldingFacts(
            e.license_id,
            envelope.time,
            e.account_id,
            e.serial,
            e.product,
            e.coverage_start,
            e.coverage_end,
            void=e.license_void,
        ),
    )


async def on_binding_moved(session: AsyncSession, envelope: Envelope[BindingMoved]) -> None:
    e = envelope.data
    await service.apply_holding(
        session,
        HoldingFacts(
            e.license_id,
            envelope.time,
            e.to_account_id,
            e.serial,
            e.product,
            e.coverage_start,
            e.coverage_end,
        ),
    )


async def on_user_verified(session: AsyncSession, envelope: Envelope[UserVerified]) -> None:
    e = envelope.data
    await service.remember_person(session, e.user_id, str(e.email), e.name, e.locale, envelope.time)


async def on_user_profile_changed(session: AsyncSession, envelope: Envelope[UserProfileChanged]) -> None:
    e = envelope.data
    await service.remember_person(session, e.user_id, str(e.email), e.name, e.locale, envelope.time)


HANDLERS: dict[type[Any], Any] = {
    LicenseBound: on_license_bound,
    ContractBound: on_contract_bound,
    LicenseVoided: on_license_voided,
    BindingMoved: on_binding_moved,
    UserVerified: on_user_verified,
    UserProfileChanged: on_user_profile_changed,
}
