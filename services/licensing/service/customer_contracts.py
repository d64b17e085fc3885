"""Customer-facing contract operations: preview, bind, and my contracts."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import schemas
from services.licensing.config import Settings
from services.licensing.events import contract_bound, publish
from services.licensing.models import Contract, License
from services.licensing.problems import COVERAGE_GAP, LICENSE_NOT_BOUND_TO_YOU
from services.licensing.service.customer_licenses import coverage_view
from services.licensing.service.customer_lookup import (
    enforce_lookup_limit,
    matching_contract,
    refuse_lookup,
    require_verified_account,
)
from services.licensing.service.ownership import caller_organization, usable_by, usable_clause
from services.licensing.service.repository import (
    customer_coverage,
    refused_contract_dates,
    utcnow,
)
from services.licensing.texts import BIND_EARLIER_CONTRACT_FIRST, BIND_LICENSE_FIRST
from shared.auth import Principal
from shared.entitlements import Period
from shared.http.problems import Problem


def _contract_view(contract: Contract, license: License) -> schemas.CustomerContract:
    return schemas.CustomerContract(
        **contract.model_dump(include={"id", "starts_on", "ends_on", "bound_at"}),
        license_id=license.id,
        serial=license.serial,
        product=license.product,
    )


async def _require_license_usable_by(session: AsyncSession, license: License, user: Principal) -> None:
    if not usable_by(license, user.user_id, await caller_organization(session, user)):
        raise Problem(
            LICENSE_NOT_BOUND_TO_YOU,
            detail=BIND_LICENSE_FIRST(serial=license.serial),
        )


async def preview_contract(
    session: AsyncSession, settings: Settings, user: Principal, address: str, lookup: schemas.LookupRequest
) -> schemas.ContractPreview:
    await require_verified_account(session, user)
    await enforce_lookup_limit(session, settings, user, address)
    found = await matching_contract(session, settings, lookup, lock=False)
    if found is None:
        await refuse_lookup(session, settings, user, address)
    contract, license = found
    await _require_license_usable_by(session, license, user)
    coverage, _ = await customer_coverage(session, license)
    after = coverage.with_contract(Period(contract.starts_on, contract.ends_on))
    return schemas.ContractPreview(
        serial=license.serial,
        product=license.product,
        edition=license.edition,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        coverage_after=coverage_view(after),
        already_bound_to_you=contract.bound_at is not None,
    )


async def bind_contract(
    session: AsyncSession, settings: Settings, user: Principal, address: str, lookup: schemas.LookupRequest
) -> tuple[schemas.CustomerContract, bool]:
    await require_verified_account(session, user)
    await enforce_lookup_limit(session, settings, user, address)
    found = await matching_contract(session, settings, lookup, lock=True)
    if found is None:
        await refuse_lookup(session, settings, user, address)
    contract, license = found
    await _require_license_usable_by(session, license, user)
    if contract.bound_at is not None:
        return _contract_view(contract, license), False
    coverage, _ = await customer_coverage(session, license)
    period = Period(contract.starts_on, contract.ends_on)
    check = coverage.check(period)
    if check.gap is not None:
        # Binding never creates a gap: an earlier contract of this license is still unbound.
        raise Problem(
            COVERAGE_GAP,
            detail=BIND_EARLIER_CONTRACT_FIRST(required_start=check.required_start),
            extra=refused_contract_dates(coverage, check),
        )
    contract.bound_at = utcnow()
    session.add(contract)
    await session.flush()
    after = coverage.with_contract(period)
    await publish(session, contract_bound(license, contract, after))
    return _contract_view(contract, license), True


async def list_my_contracts(session: AsyncSession, user: Principal) -> list[schemas.CustomerContract]:
    query = (
        select(Contract, License)
        .join(License, col(License.id) == Contract.license_id)
        .where(
            usable_clause(user.user_id, await caller_organization(session, user)),
            col(License.voided_at).is_(None),
            col(Contract.voided_at).is_(None),
            col(Contract.bound_at).is_not(None),
        )
        .order_by(col(License.serial), col(Contract.starts_on))
    )
    return [_contract_view(contract, license) for contract, license in (await session.exec(query)).all()]
