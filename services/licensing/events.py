"""The licensing events, each built from the model in one place, and written to the outbox.

A use case says what happened (`await publish(session, license_bound(license, coverage))`); which
fields an event copies from the license, the contract and the coverage is decided here only, so
two call sites can never describe the same fact differently.
"""

from datetime import date
from typing import Protocol
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing.models import Contract, License
from shared.entitlements import Coverage
from shared.events import (
    BindingMoved,
    ContractBound,
    ContractIssued,
    Event,
    LicenseBound,
    LicenseIssued,
    LicenseRestored,
    LicenseVoided,
)
from shared.outbox import add_event

SOURCE = "licensing"


async def publish(session: AsyncSession, event: Event) -> None:
    """Into the caller's transaction: the event commits with the change it describes."""
    await add_event(session, event, source=SOURCE)


class IssuedLicense(Protocol):
    """What issuance knows of a license: a `License`, or a row of the bulk import."""

    @property
    def id(self) -> UUID: ...
    @property
    def serial(self) -> str: ...
    @property
    def product(self) -> str: ...
    @property
    def edition(self) -> str: ...
    @property
    def seats(self) -> int: ...
    @property
    def purchased_on(self) -> date: ...
    @property
    def warranty_ends(self) -> date: ...


def _holder(license: License) -> UUID:
    if license.account_id is None:
        raise ValueError(f"license {license.serial} is not bound to an account")
    return license.account_id


def license_issued(license: IssuedLicense) -> LicenseIssued:
    return LicenseIssued(
        license_id=license.id,
        serial=license.serial,
        product=license.product,
        edition=license.edition,
        seats=license.seats,
        purchased_on=license.purchased_on,
        warranty_ends=license.warranty_ends,
    )


def contract_issued(license: License, contract: Contract) -> ContractIssued:
    return ContractIssued(
        license_id=license.id,
        contract_id=contract.id,
        serial=license.serial,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
    )


def license_bound(license: License, coverage: Coverage) -> LicenseBound:
    return LicenseBound(
        license_id=license.id,
        account_id=_holder(license),
        serial=license.serial,
        product=license.product,
        edition=license.edition,
        seats=license.seats,
        coverage_start=coverage.start,
        coverage_end=coverage.end,
        organization_id=license.organization_id,
    )


def contract_bound(license: License, contract: Contract, coverage: Coverage) -> ContractBound:
    """`coverage` is the license's coverage with this contract bound."""
    return ContractBound(
        license_id=license.id,
        contract_id=contract.id,
        account_id=_holder(license),
        serial=license.serial,
        product=license.product,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        coverage_start=coverage.start,
        coverage_end=coverage.end,
        organization_id=license.organization_id,
    )


def license_voided(license: License, remaining: Coverage | None) -> LicenseVoided:
    """The license itself voided (`remaining` None: it covers nothing now), or one of its
    contracts (`remaining`: the coverage left without it)."""
    return LicenseVoided(
        license_id=license.id,
        account_id=license.account_id,
        serial=license.serial,
        product=license.product,
        license_void=license.voided_at is not None,
        coverage_start=None if remaining is None else remaining.start,
        coverage_end=None if remaining is None else remaining.end,
        organization_id=license.organization_id,
    )


def license_restored(
    license: License, coverage: Coverage, contract: Contract | None = None
) -> LicenseRestored:
    """The license restored (`contract` None) or one of its contracts, with the coverage now held."""
    return LicenseRestored(
        license_id=license.id,
        contract_id=None if contract is None else contract.id,
        account_id=license.account_id,
        serial=license.serial,
        product=license.product,
        coverage_start=coverage.start,
        coverage_end=coverage.end,
        organization_id=license.organization_id,
    )


def binding_moved(license: License, from_account_id: UUID, coverage: Coverage) -> BindingMoved:
    """`license` already bound to its new account."""
    return BindingMoved(
        license_id=license.id,
        serial=license.serial,
        product=license.product,
        edition=license.edition,
        seats=license.seats,
        from_account_id=from_account_id,
        to_account_id=_holder(license),
        coverage_start=coverage.start,
        coverage_end=coverage.end,
        organization_id=license.organization_id,
    )
