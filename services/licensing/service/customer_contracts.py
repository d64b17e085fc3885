"""Customer-facing contract operations: preview, bind, and my contracts."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import schemas
from services.licensing.config import Settings
from services.licensing.events import contract_bound, publish
from services.licensing.models import Contract, License
from services.licensing.problems import COVERAGE_GAP, LICENSE_NOT_BOUND_TO_YOU
from services.licensing.service.customer_licenses import coverage_view
from services.licensing.service.customer_lookup import look_up_contract, matched_contract
from services.licensing.service.ownership import caller_organization, usable_by, usable_clause
from services.licensing.service.repository import (
    customer_coverage,
    refused_contract_dates,
    utcnow,
)
from services.licensing.texts import BIND_EARLIER_CONTRACT_FIRST, BIND_LICENSE_FIRST
from shared.auth import Principal
from shared.driver_sql import driver_connection
from shared.entitlements import Period
from shared.http.problems import Problem


def _contract_view(contract: Contract, license: License) -> schemas.CustomerContract:
    return schemas.CustomerContract(
        **contract.model_dump(include={"id", "starts_on", "ends_on", "bound_at"}),
        license_id=license.id,
        serial=license.serial,
        product=license.product,
    )


async def _found(
    session: AsyncSession,
    settings: Settings,
    user: Principal,
    address: str,
    lookup: schemas.LookupRequest,
    *,
    lock: bool,
) -> tuple[Contract, License]:
    """The contract the caller names and its license, usable by the caller (or the refusal).

    The lookup's facts (and a miss, counted) go straight to asyncpg before the session sends
    anything, so each runs on its own, as a license lookup does: the limit's keys are locked
    only for a miss, never to the end of this request's transaction."""
    contract_id, organization_id = await look_up_contract(
        await driver_connection(session), settings, user, address, lookup
    )
    contract, license = await matched_contract(session, contract_id, lock=lock)
    if not usable_by(license, user.user_id, organization_id):
        raise Problem(
            LICENSE_NOT_BOUND_TO_YOU,
            detail=BIND_LICENSE_FIRST(serial=license.serial),
        )
    return contract, license


async def preview_contract(
    session: AsyncSession, settings: Settings, user: Principal, address: str, lookup: schemas.LookupRequest
) -> schemas.ContractPreview:
    contract, license = await _found(session, settings, user, address, lookup, lock=False)
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
    contract, license = await _found(session, settings, user, address, lookup, lock=True)
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
