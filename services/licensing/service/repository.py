"""Queries and small rules more than one use case needs: finding a license by serial, the
contracts that make a license's coverage, the clock, the audit line.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing.config import Settings
from services.licensing.models import AuditAction, AuditEntry, Contract, License
from services.licensing.problems import MALFORMED_SERIAL, NOT_FOUND
from services.licensing.serials import MalformedSerial, parse_serial
from services.licensing.texts import CHECK_SERIAL, NO_LICENSE_WITH_SERIAL
from shared import clock
from shared.audit import SYSTEM, record
from shared.auth import Principal
from shared.entitlements import ContractCheck, Coverage, Period
from shared.http.problems import Problem

ONE_DAY = timedelta(days=1)


def utcnow() -> datetime:
    return clock.now()


def today() -> date:
    return clock.today()


def coverage_from(license: License, contracts: Iterable[Contract]) -> Coverage:
    """The license's coverage as the shared rule computes it from these contracts."""
    return Coverage.of(
        Period(license.purchased_on, license.warranty_ends),
        (Period(contract.starts_on, contract.ends_on) for contract in contracts),
    )


async def contracts_of(
    session: AsyncSession, license_ids: list[UUID], *, bound_only: bool
) -> dict[UUID, list[Contract]]:
    """Non-void contracts per license (void contracts never count as coverage)."""
    found: dict[UUID, list[Contract]] = {license_id: [] for license_id in license_ids}
    if not license_ids:
        return found
    query = select(Contract).where(
        col(Contract.license_id).in_(license_ids), col(Contract.voided_at).is_(None)
    )
    if bound_only:
        query = query.where(col(Contract.bound_at).is_not(None))
    for contract in (await session.exec(query.order_by(col(Contract.starts_on)))).all():
        found[contract.license_id].append(contract)
    return found


async def customer_coverage(session: AsyncSession, license: License) -> tuple[Coverage, list[Contract]]:
    """What the customer holds: warranty ∪ bound, non-void contracts (with those contracts)."""
    contracts = (await contracts_of(session, [license.id], bound_only=True))[license.id]
    return coverage_from(license, contracts), contracts


def _prefixes(settings: Settings) -> frozenset[str]:
    return frozenset(settings.products.values())


def canonical_serial(settings: Settings, text_: str) -> str:
    try:
        return parse_serial(text_, _prefixes(settings))[1]
    except MalformedSerial as error:
        raise Problem(
            MALFORMED_SERIAL,
            detail=CHECK_SERIAL(),
            errors=[{"field": "serial", "message": str(error)}],
        ) from error


def refused_contract_dates(coverage: Coverage, check: ContractCheck) -> dict[str, str]:
    """The dates a client needs to propose a contract that fits, beside the sentence saying so."""
    dates = {"coverage_end": coverage.end.isoformat(), "required_start": check.required_start.isoformat()}
    if check.gap is not None:
        dates |= {"gap_start": check.gap.start.isoformat(), "gap_end": check.gap.end.isoformat()}
    if check.overlap is not None:
        dates |= {
            "overlap_start": check.overlap.start.isoformat(),
            "overlap_end": check.overlap.end.isoformat(),
        }
    return dates


def audit(
    session: AsyncSession,
    actor: Principal | None,
    action: AuditAction,
    target: str,
    reason: str = "",
    **details: Any,
) -> None:
    """One audit line in the caller's transaction; `actor` None: a command line acted."""
    record(
        session,
        AuditEntry,
        actor_id=None if actor is None else actor.user_id,
        # Who, as people read it: an id alone means nothing in the audit listing.
        actor_email=SYSTEM if actor is None else actor.email or str(actor.user_id),
        action=action,
        target=target,
        reason=reason,
        **details,
    )


async def license_by_serial(
    session: AsyncSession, settings: Settings, serial: str, *, lock: bool = False
) -> License:
    query = select(License).where(License.serial == canonical_serial(settings, serial))
    if lock:
        query = query.with_for_update()
    license = (await session.exec(query)).first()
    if license is None:
        raise Problem(NOT_FOUND, detail=NO_LICENSE_WITH_SERIAL(serial=serial))
    return license


async def issuance_coverage(session: AsyncSession, license: License) -> Coverage:
    """The coverage a new contract must continue. Issuance counts every non-void contract,
    bound or not: two contracts for the same days must never both be sold."""
    contracts = (await contracts_of(session, [license.id], bound_only=False))[license.id]
    return coverage_from(license, contracts)


async def all_contracts_of(session: AsyncSession, license_ids: list[UUID]) -> dict[UUID, list[Contract]]:
    found: dict[UUID, list[Contract]] = {license_id: [] for license_id in license_ids}
    if license_ids:
        query = (
            select(Contract)
            .where(col(Contract.license_id).in_(license_ids))
            .order_by(col(Contract.starts_on))
        )
        for contract in (await session.exec(query)).all():
            found[contract.license_id].append(contract)
    return found


def str_or_none(value: object | None) -> str | None:
    return None if value is None else str(value)
