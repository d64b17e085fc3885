"""Use cases of the licensing service: one function per action. They flush, never commit.

The transaction belongs to the caller (the request dependency or the CLI), so a state change
and the events describing it are written together or not at all.
"""

from datetime import date, datetime, timedelta
from typing import Any, NoReturn
from uuid import UUID, uuid4

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import schemas
from services.licensing.bulk import copy_events, copy_licenses
from services.licensing.config import Settings
from services.licensing.csv_import import ImportRejected, parse_import
from services.licensing.license_file import sign
from services.licensing.models import AuditEntry, Contract, License, VerifiedAccount
from services.licensing.problems import (
    ACCOUNT_NOT_VERIFIED,
    ALREADY_VOID,
    COVERAGE_GAP,
    COVERAGE_OVERLAP,
    IMPORT_INVALID,
    LICENSE_ALREADY_BOUND,
    LICENSE_NOT_BOUND_TO_YOU,
    LICENSE_NOT_FOUND,
    LICENSE_VOID,
    MALFORMED_SERIAL,
    MOVE_TARGET_NOT_VERIFIED,
    NOT_BOUND,
    NOT_FOUND,
    UNKNOWN_PRODUCT,
)
from services.licensing.serials import (
    MalformedSerial,
    new_registration_number,
    new_serial,
    parse_serial,
    registration_hash,
    same_hash,
)
from services.licensing.signing_keys import key_store
from shared import clock, ratelimit
from shared.auth import Principal
from shared.entitlements import Period, check_new_contract, coverage_of, coverage_status
from shared.events import (
    BindingMoved,
    ContractBound,
    ContractIssued,
    LicenseBound,
    LicenseIssued,
    LicenseVoided,
)
from shared.http.problems import RATE_LIMITED, Problem
from shared.outbox import add_event

SOURCE = "licensing"
ONE_DAY = timedelta(days=1)
# Compared against when the serial does not exist, so a miss costs what a hit costs.
_ABSENT_HASH = "0" * 64


MISS_DETAIL = "Check the serial number and the registration number printed on your invoice, then try again."


def utcnow() -> datetime:
    return clock.now()


def today() -> date:
    return clock.today()


# --- coverage ----------------------------------------------------------------------------------


def warranty_of(license: License) -> Period:
    return Period(license.purchased_on, license.warranty_ends)


def _periods(contracts: list[Contract]) -> list[Period]:
    return [Period(c.starts_on, c.ends_on) for c in contracts]


def coverage_view(license: License, coverage: Period) -> schemas.CoverageView:
    status = coverage_status(warranty_of(license), coverage, today())
    return schemas.CoverageView(
        start=coverage.start,
        end=coverage.end,
        status=status,
        lapsed_since=coverage.end + ONE_DAY if status == "lapsed" else None,
    )


async def _contracts_of(
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


async def customer_coverage(session: AsyncSession, license: License) -> tuple[Period, list[Contract]]:
    """What the customer holds: warranty ∪ bound, non-void contracts."""
    contracts = (await _contracts_of(session, [license.id], bound_only=True))[license.id]
    return coverage_of(warranty_of(license), _periods(contracts)), contracts


# --- shared helpers ----------------------------------------------------------------------------


def _prefixes(settings: Settings) -> frozenset[str]:
    return frozenset(settings.products.values())


def _canonical_serial(settings: Settings, text_: str) -> str:
    try:
        return parse_serial(text_, _prefixes(settings))[1]
    except MalformedSerial as error:
        raise Problem(
            MALFORMED_SERIAL,
            detail="Check the serial number: it is not complete or has a typo (letters, digits and dashes as printed).",
            errors=[{"field": "serial", "message": str(error)}],
        ) from error


async def _audit(
    session: AsyncSession, actor: Principal, action: str, target: str, reason: str = "", **details: Any
) -> None:
    session.add(
        AuditEntry(actor_id=actor.user_id, action=action, target=target, reason=reason, details=details)
    )


async def _admin_license(
    session: AsyncSession, settings: Settings, serial: str, *, lock: bool = False
) -> License:
    query = select(License).where(License.serial == _canonical_serial(settings, serial))
    if lock:
        query = query.with_for_update()
    license = (await session.exec(query)).first()
    if license is None:
        raise Problem(NOT_FOUND, detail=f"No license has the serial {serial!r}")
    return license


def license_issued_event(license: License) -> LicenseIssued:
    return LicenseIssued(
        license_id=license.id,
        serial=license.serial,
        product=license.product,
        edition=license.edition,
        seats=license.seats,
        purchased_on=license.purchased_on,
        warranty_ends=license.warranty_ends,
    )


def product_prefix(settings: Settings, product: str) -> str:
    prefix = settings.products.get(product)
    if prefix is None:
        raise Problem(
            UNKNOWN_PRODUCT,
            detail=f"Use one of: {', '.join(sorted(settings.products))}",
            errors=[{"field": "product", "message": f"unknown product {product!r}"}],
        )
    return prefix


# --- back office -------------------------------------------------------------------------------


async def issue_license(
    session: AsyncSession, settings: Settings, actor: Principal, data: schemas.LicenseIssue
) -> schemas.LicenseIssued:
    prefix = product_prefix(settings, data.product)
    registration = new_registration_number()
    license = License(
        serial=new_serial(prefix),
        registration_hash=registration_hash(settings.pepper, registration),
        **data.model_dump(),
    )
    session.add(license)
    await _audit(
        session, actor, "license.issue", license.serial, product=license.product, seats=license.seats
    )
    await session.flush()
    await add_event(session, license_issued_event(license), source=SOURCE)
    return schemas.LicenseIssued(
        license_id=license.id, registration_number=registration, **license.model_dump(exclude={"id"})
    )


async def issue_contract(
    session: AsyncSession, settings: Settings, actor: Principal, serial: str, data: schemas.ContractIssue
) -> schemas.ContractIssued:
    license = await _admin_license(session, settings, serial, lock=True)  # lock: one issuance at a time
    if license.voided_at is not None:
        raise Problem(LICENSE_VOID, detail="A void license cannot get a maintenance contract")
    # Issuance checks against every non-void contract, bound or not: two contracts for the same
    # days must never both be sold.
    contracts = (await _contracts_of(session, [license.id], bound_only=False))[license.id]
    coverage = coverage_of(warranty_of(license), _periods(contracts))
    check = check_new_contract(coverage, Period(data.starts_on, data.ends_on))
    if check.gap is not None:
        raise Problem(
            COVERAGE_GAP,
            detail=(
                f"Coverage ended on {coverage.end}. A renewal must start on {check.required_start} so the "
                f"lapsed days {check.gap.start} to {check.gap.end} are paid too."
            ),
            extra={
                "coverage_end": coverage.end.isoformat(),
                "gap_start": check.gap.start.isoformat(),
                "gap_end": check.gap.end.isoformat(),
                "required_start": check.required_start.isoformat(),
            },
        )
    if check.overlap is not None:
        raise Problem(
            COVERAGE_OVERLAP,
            detail=(
                f"The days {check.overlap.start} to {check.overlap.end} are already covered. A renewal "
                f"bought early starts when the current coverage ends: on {check.required_start}."
            ),
            extra={
                "coverage_end": coverage.end.isoformat(),
                "overlap_start": check.overlap.start.isoformat(),
                "overlap_end": check.overlap.end.isoformat(),
                "required_start": check.required_start.isoformat(),
            },
        )
    registration = new_registration_number()
    contract = Contract(
        license_id=license.id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        registration_hash=registration_hash(settings.pepper, registration),
    )
    session.add(contract)
    await _audit(
        session,
        actor,
        "contract.issue",
        license.serial,
        contract_id=str(contract.id),
        starts_on=data.starts_on.isoformat(),
        ends_on=data.ends_on.isoformat(),
    )
    await session.flush()
    await add_event(
        session,
        ContractIssued(
            license_id=license.id,
            contract_id=contract.id,
            serial=license.serial,
            starts_on=contract.starts_on,
            ends_on=contract.ends_on,
        ),
        source=SOURCE,
    )
    return schemas.ContractIssued(
        contract_id=contract.id,
        license_id=license.id,
        serial=license.serial,
        registration_number=registration,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        issued_at=contract.issued_at,
    )


async def _voided_event(session: AsyncSession, license: License) -> LicenseVoided:
    if license.voided_at is not None:
        start: date | None = None
        end: date | None = None
    else:
        coverage, _ = await customer_coverage(session, license)
        start, end = coverage.start, coverage.end
    return LicenseVoided(
        license_id=license.id,
        account_id=license.account_id,
        serial=license.serial,
        product=license.product,
        license_void=license.voided_at is not None,
        coverage_start=start,
        coverage_end=end,
    )


async def void_license(
    session: AsyncSession, settings: Settings, actor: Principal, serial: str, reason: str
) -> schemas.LicenseAdminView:
    license = await _admin_license(session, settings, serial, lock=True)
    if license.voided_at is not None:
        raise Problem(ALREADY_VOID, detail=f"The license was voided on {license.voided_at:%Y-%m-%d}")
    license.voided_at, license.void_reason = utcnow(), reason
    session.add(license)
    await _audit(session, actor, "license.void", license.serial, reason, account_id=_str(license.account_id))
    await session.flush()
    await add_event(session, await _voided_event(session, license), source=SOURCE)
    return (await _admin_views(session, [license]))[0]


async def void_contract(
    session: AsyncSession, actor: Principal, contract_id: UUID, reason: str
) -> schemas.LicenseAdminView:
    contract = (
        await session.exec(select(Contract).where(Contract.id == contract_id).with_for_update())
    ).first()
    if contract is None:
        raise Problem(NOT_FOUND, detail="No contract has this id")
    if contract.voided_at is not None:
        raise Problem(ALREADY_VOID, detail=f"The contract was voided on {contract.voided_at:%Y-%m-%d}")
    license = await session.get(License, contract.license_id)
    assert license is not None
    contract.voided_at, contract.void_reason = utcnow(), reason
    session.add(contract)
    await _audit(session, actor, "contract.void", license.serial, reason, contract_id=str(contract.id))
    await session.flush()
    await add_event(session, await _voided_event(session, license), source=SOURCE)
    return (await _admin_views(session, [license]))[0]


async def move_binding(
    session: AsyncSession, settings: Settings, actor: Principal, serial: str, data: schemas.MoveRequest
) -> schemas.LicenseAdminView:
    license = await _admin_license(session, settings, serial, lock=True)
    if license.voided_at is not None:
        raise Problem(LICENSE_VOID, detail="A void license cannot be moved")
    if license.account_id is None:
        raise Problem(
            NOT_BOUND, detail="Only a bound license can be moved; the customer can bind it directly"
        )
    target = await session.get(VerifiedAccount, data.to_account_id)
    if target is None or target.disabled:
        raise Problem(
            MOVE_TARGET_NOT_VERIFIED,
            detail="The account must exist and be verified before licenses can be moved to it",
            errors=[{"field": "to_account_id", "message": "unknown or not verified"}],
        )
    from_account = license.account_id
    if from_account == data.to_account_id:
        return (await _admin_views(session, [license]))[0]
    license.account_id, license.bound_at = data.to_account_id, utcnow()
    session.add(license)
    await _audit(
        session,
        actor,
        "license.move",
        license.serial,
        data.reason,
        from_account_id=str(from_account),
        to_account_id=str(data.to_account_id),
    )
    await session.flush()
    coverage, _ = await customer_coverage(session, license)
    await add_event(
        session,
        BindingMoved(
            license_id=license.id,
            serial=license.serial,
            product=license.product,
            edition=license.edition,
            seats=license.seats,
            from_account_id=from_account,
            to_account_id=data.to_account_id,
            coverage_start=coverage.start,
            coverage_end=coverage.end,
        ),
        source=SOURCE,
    )
    return (await _admin_views(session, [license]))[0]


def _str(value: object | None) -> str | None:
    return None if value is None else str(value)


async def _admin_views(session: AsyncSession, licenses: list[License]) -> list[schemas.LicenseAdminView]:
    ids = [license.id for license in licenses]
    contracts = await _all_contracts_of(session, ids)
    accounts = {license.account_id for license in licenses if license.account_id is not None}
    emails: dict[UUID, str] = {}
    if accounts:
        rows = await session.exec(
            select(VerifiedAccount).where(col(VerifiedAccount.account_id).in_(accounts))
        )
        emails = {row.account_id: row.email for row in rows.all()}
    return [
        schemas.LicenseAdminView(
            **license.model_dump(exclude={"registration_hash"}),
            account_email=emails.get(license.account_id) if license.account_id else None,
            contracts=[schemas.ContractAdminView(**c.model_dump()) for c in contracts[license.id]],
        )
        for license in licenses
    ]


async def _all_contracts_of(session: AsyncSession, license_ids: list[UUID]) -> dict[UUID, list[Contract]]:
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


async def search_licenses(
    session: AsyncSession, q: str | None, limit: int, offset: int
) -> list[schemas.LicenseAdminView]:
    """Back-office search: serial (any spelling), product, customer ref, account id or email."""
    query = select(License)
    if q and q.strip():
        term = q.strip()
        compact = "".join(ch for ch in term.upper() if ch.isalnum())
        conditions = [
            func.replace(License.serial, "-", "").contains(compact),
            col(License.product) == term.upper(),
            col(License.customer_ref) == term,
        ]
        try:
            conditions.append(col(License.account_id) == UUID(term))
        except ValueError:
            accounts = select(VerifiedAccount.account_id).where(
                func.lower(VerifiedAccount.email) == term.lower()
            )
            conditions.append(col(License.account_id).in_(accounts))
        query = query.where(or_(*conditions))
    query = query.order_by(col(License.issued_at).desc(), col(License.serial)).limit(limit).offset(offset)
    return await _admin_views(session, list((await session.exec(query)).all()))


async def list_audit(
    session: AsyncSession, target: str | None, limit: int, offset: int
) -> list[schemas.AuditView]:
    query = select(AuditEntry)
    if target:
        query = query.where(AuditEntry.target == target)
    query = query.order_by(col(AuditEntry.at).desc()).limit(limit).offset(offset)
    return [schemas.AuditView(**row.model_dump()) for row in (await session.exec(query)).all()]


# --- customers: who may look up, and how often -------------------------------------------------


async def _verified_account(session: AsyncSession, user: Principal) -> VerifiedAccount:
    account = await session.get(VerifiedAccount, user.user_id)
    if account is None or account.disabled:
        raise Problem(
            ACCOUNT_NOT_VERIFIED,
            detail="Open the verification link we mailed you (or ask your sales representative), then try again.",
        )
    return account


def _lookup_keys(user: Principal, address: str, settings: Settings) -> tuple[tuple[str, int], ...]:
    # The account first: every request takes the keys' locks in the same order (no deadlock).
    return (
        (f"lookup-miss:account:{user.user_id}", settings.lookup_failures_per_account),
        (f"lookup-miss:address:{address}", settings.lookup_failures_per_address),
    )


async def _enforce_lookup_limit(
    session: AsyncSession, settings: Settings, user: Principal, address: str
) -> None:
    """At most N failed lookups per window per account and per address, counted in Postgres
    (shared/ratelimit.py) so every replica sees the same count. The keys stay locked until the
    transaction ends, so parallel requests take turns and cannot all slip under the limit."""
    window = timedelta(seconds=settings.lookup_window_seconds)
    moment = utcnow()
    for key, limit in _lookup_keys(user, address, settings):
        wait = await ratelimit.retry_after(session, key, limit=limit, window=window, now=moment)
        if wait:
            raise Problem(
                RATE_LIMITED,
                detail=f"Too many wrong serial or registration numbers. Try again in {wait} seconds.",
                headers={"Retry-After": str(wait)},
            )


async def _refuse_lookup(
    session: AsyncSession, settings: Settings, user: Principal, address: str
) -> NoReturn:
    """Wrong serial, wrong registration number or void license: indistinguishable on purpose.
    The failed attempt is kept (committed) so that the lookup limit counts it."""
    moment = utcnow()
    for key, _ in _lookup_keys(user, address, settings):
        await ratelimit.record(session, key, moment)
    raise Problem(LICENSE_NOT_FOUND, detail=MISS_DETAIL, keep_changes=True)


async def _matching_license(
    session: AsyncSession, settings: Settings, lookup: schemas.LookupRequest, *, lock: bool
) -> License | None:
    serial = _canonical_serial(settings, lookup.serial)
    digest = registration_hash(settings.pepper, lookup.registration_number)  # always: same cost
    query = select(License).where(License.serial == serial)
    if lock:
        query = query.with_for_update()
    license = (await session.exec(query)).first()
    matches = same_hash(license.registration_hash if license else _ABSENT_HASH, digest)
    if license is None or not matches or license.voided_at is not None:
        return None
    return license


async def _matching_contract(
    session: AsyncSession, settings: Settings, lookup: schemas.LookupRequest, *, lock: bool
) -> tuple[Contract, License] | None:
    serial = _canonical_serial(settings, lookup.serial)
    digest = registration_hash(settings.pepper, lookup.registration_number)
    query = (
        select(Contract, License)
        .join(License, col(License.id) == Contract.license_id)
        .where(License.serial == serial, Contract.registration_hash == digest)
    )
    if lock:
        query = query.with_for_update()
    found = (await session.exec(query)).first()
    if found is None:
        return None
    contract, license = found
    if contract.voided_at is not None or license.voided_at is not None:
        return None
    return contract, license


# --- customers: licenses -----------------------------------------------------------------------


def _file_url(settings: Settings, license: License) -> str:
    return f"{settings.public_url.rstrip('/')}/api/licensing/me/licenses/{license.id}/file"


def customer_view(settings: Settings, license: License, contracts: list[Contract]) -> schemas.CustomerLicense:
    coverage = coverage_of(warranty_of(license), _periods(contracts))
    view = coverage_view(license, coverage)
    timeline = [schemas.TimelineEntry(kind="warranty", start=license.purchased_on, end=license.warranty_ends)]
    timeline += [
        schemas.TimelineEntry(kind="contract", contract_id=c.id, start=c.starts_on, end=c.ends_on)
        for c in contracts
    ]
    return schemas.CustomerLicense(
        id=license.id,
        serial=license.serial,
        product=license.product,
        edition=license.edition,
        seats=license.seats,
        purchased_on=license.purchased_on,
        warranty_ends=license.warranty_ends,
        coverage=view,
        status=view.status,
        timeline=timeline,
        bound_at=license.bound_at,
        file_url=_file_url(settings, license),
    )


async def preview_license(
    session: AsyncSession, settings: Settings, user: Principal, address: str, lookup: schemas.LookupRequest
) -> schemas.LicensePreview:
    await _verified_account(session, user)
    await _enforce_lookup_limit(session, settings, user, address)
    license = await _matching_license(session, settings, lookup, lock=False)
    if license is None:
        await _refuse_lookup(session, settings, user, address)
    coverage, _ = await customer_coverage(session, license)
    return schemas.LicensePreview(
        serial=license.serial,
        product=license.product,
        edition=license.edition,
        seats=license.seats,
        purchased_on=license.purchased_on,
        warranty_ends=license.warranty_ends,
        coverage=coverage_view(license, coverage),
        already_bound_to_you=license.account_id == user.user_id,
    )


async def bind_license(
    session: AsyncSession, settings: Settings, user: Principal, address: str, lookup: schemas.LookupRequest
) -> tuple[schemas.CustomerLicense, bool]:
    """Bind a license to the caller. Returns (license, created); binding twice is idempotent.

    The row lock serialises concurrent binds of one serial: the first commits, the others then
    read its account id and get a conflict.
    """
    await _verified_account(session, user)
    await _enforce_lookup_limit(session, settings, user, address)
    license = await _matching_license(session, settings, lookup, lock=True)
    if license is None:
        await _refuse_lookup(session, settings, user, address)
    if license.account_id == user.user_id:
        coverage, contracts = await customer_coverage(session, license)
        return customer_view(settings, license, contracts), False
    if license.account_id is not None:
        raise Problem(
            LICENSE_ALREADY_BOUND,
            detail="Each license binds to one account. If this is your company's license, ask your "
            "administrator or your sales representative to move it.",
        )
    license.account_id, license.bound_at = user.user_id, utcnow()
    session.add(license)
    await session.flush()
    coverage, contracts = await customer_coverage(session, license)
    await add_event(
        session,
        LicenseBound(
            license_id=license.id,
            account_id=user.user_id,
            serial=license.serial,
            product=license.product,
            edition=license.edition,
            seats=license.seats,
            coverage_start=coverage.start,
            coverage_end=coverage.end,
        ),
        source=SOURCE,
    )
    return customer_view(settings, license, contracts), True


async def _owned_license(session: AsyncSession, user: Principal, license_id: UUID) -> License:
    license = await session.get(License, license_id)
    # Someone else's license answers exactly like a missing one.
    if license is None or license.account_id != user.user_id or license.voided_at is not None:
        raise Problem(NOT_FOUND, detail="You have no license with this id")
    return license


async def list_my_licenses(
    session: AsyncSession, settings: Settings, user: Principal
) -> list[schemas.CustomerLicense]:
    query = (
        select(License)
        .where(License.account_id == user.user_id, col(License.voided_at).is_(None))
        .order_by(col(License.bound_at))
    )
    licenses = list((await session.exec(query)).all())
    contracts = await _contracts_of(session, [license.id for license in licenses], bound_only=True)
    return [customer_view(settings, license, contracts[license.id]) for license in licenses]


async def get_my_license(
    session: AsyncSession, settings: Settings, user: Principal, license_id: UUID
) -> schemas.CustomerLicense:
    license = await _owned_license(session, user, license_id)
    _, contracts = await customer_coverage(session, license)
    return customer_view(settings, license, contracts)


async def license_file(
    session: AsyncSession, settings: Settings, user: Principal, license_id: UUID
) -> tuple[str, dict[str, Any]]:
    """The signed `<serial>.lic` document: (file name, JSON document)."""
    license = await _owned_license(session, user, license_id)
    coverage, _ = await customer_coverage(session, license)
    account = await session.get(VerifiedAccount, user.user_id)
    key, private_key = await key_store(settings.secret_key).signing_key(session, utcnow())
    kid = key.kid
    payload = {
        "serial": license.serial,
        "product": license.product,
        "edition": license.edition,
        "seats": license.seats,
        "licensee": {
            "account_id": str(user.user_id),
            "name": account.name if account else "",
            "email": account.email if account else "",
        },
        "coverage_end": coverage.end.isoformat(),
        "issued_at": utcnow().isoformat(timespec="seconds"),
        "key_id": kid,
    }
    return f"{license.serial}.lic", sign(payload, private_key)


# --- customers: contracts ----------------------------------------------------------------------


def _contract_view(contract: Contract, license: License) -> schemas.CustomerContract:
    return schemas.CustomerContract(
        id=contract.id,
        license_id=license.id,
        serial=license.serial,
        product=license.product,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        bound_at=contract.bound_at,
    )


def _require_license_bound_to(license: License, user: Principal) -> None:
    if license.account_id != user.user_id:
        raise Problem(
            LICENSE_NOT_BOUND_TO_YOU,
            detail=f"Bind the license {license.serial} to your account first (Product Licenses → +Add License).",
        )


async def preview_contract(
    session: AsyncSession, settings: Settings, user: Principal, address: str, lookup: schemas.LookupRequest
) -> schemas.ContractPreview:
    await _verified_account(session, user)
    await _enforce_lookup_limit(session, settings, user, address)
    found = await _matching_contract(session, settings, lookup, lock=False)
    if found is None:
        await _refuse_lookup(session, settings, user, address)
    contract, license = found
    _require_license_bound_to(license, user)
    _, contracts = await customer_coverage(session, license)
    after = coverage_of(warranty_of(license), _periods([*contracts, contract]))
    return schemas.ContractPreview(
        serial=license.serial,
        product=license.product,
        edition=license.edition,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        coverage_after=coverage_view(license, after),
        already_bound_to_you=contract.bound_at is not None,
    )


async def bind_contract(
    session: AsyncSession, settings: Settings, user: Principal, address: str, lookup: schemas.LookupRequest
) -> tuple[schemas.CustomerContract, bool]:
    await _verified_account(session, user)
    await _enforce_lookup_limit(session, settings, user, address)
    found = await _matching_contract(session, settings, lookup, lock=True)
    if found is None:
        await _refuse_lookup(session, settings, user, address)
    contract, license = found
    _require_license_bound_to(license, user)
    if contract.bound_at is not None:
        return _contract_view(contract, license), False
    coverage, _ = await customer_coverage(session, license)
    check = check_new_contract(coverage, Period(contract.starts_on, contract.ends_on))
    if check.gap is not None:
        # Binding never creates a gap: an earlier contract of this license is still unbound.
        raise Problem(
            COVERAGE_GAP,
            detail=f"Bind the maintenance contract that starts on {check.required_start} first.",
            extra={
                "coverage_end": coverage.end.isoformat(),
                "gap_start": check.gap.start.isoformat(),
                "gap_end": check.gap.end.isoformat(),
                "required_start": check.required_start.isoformat(),
            },
        )
    contract.bound_at = utcnow()
    session.add(contract)
    await session.flush()
    after, _ = await customer_coverage(session, license)
    await add_event(
        session,
        ContractBound(
            license_id=license.id,
            contract_id=contract.id,
            account_id=user.user_id,
            serial=license.serial,
            product=license.product,
            starts_on=contract.starts_on,
            ends_on=contract.ends_on,
            coverage_start=after.start,
            coverage_end=after.end,
        ),
        source=SOURCE,
    )
    return _contract_view(contract, license), True


async def list_my_contracts(session: AsyncSession, user: Principal) -> list[schemas.CustomerContract]:
    query = (
        select(Contract, License)
        .join(License, col(License.id) == Contract.license_id)
        .where(
            License.account_id == user.user_id,
            col(License.voided_at).is_(None),
            col(Contract.voided_at).is_(None),
            col(Contract.bound_at).is_not(None),
        )
        .order_by(col(License.serial), col(Contract.starts_on))
    )
    return [_contract_view(contract, license) for contract, license in (await session.exec(query)).all()]


# --- identity's facts --------------------------------------------------------------------------


async def record_verified_account(
    session: AsyncSession, account_id: UUID, email: str, name: str, locale: str
) -> None:
    account = await session.get(VerifiedAccount, account_id)
    if account is None:
        account = VerifiedAccount(account_id=account_id, email=email, name=name, locale=locale)
    else:
        account.email, account.name, account.locale = email, name, locale
    session.add(account)
    await session.flush()


async def record_profile_change(
    session: AsyncSession, account_id: UUID, email: str, name: str, locale: str, disabled: bool
) -> None:
    """Only accounts already verified are kept: an unverified profile grants nothing."""
    account = await session.get(VerifiedAccount, account_id)
    if account is None:
        return
    account.email, account.name, account.locale, account.disabled = email, name, locale, disabled
    session.add(account)
    await session.flush()


# --- bulk import -------------------------------------------------------------------------------


async def import_licenses(
    session: AsyncSession, settings: Settings, actor: Principal, data: bytes, *, origin: str = "api"
) -> list[dict[str, Any]]:
    """Validate every row, then issue all licenses in the caller's one transaction.

    Returns what was issued, registration numbers included: the operator gets them once.
    """
    try:
        rows = parse_import(data, set(settings.products))
    except ImportRejected as rejected:
        raise Problem(
            IMPORT_INVALID,
            detail=f"{len(rejected.errors)} problem(s) found; fix them all and import the file again.",
            errors=rejected.errors,
        ) from rejected
    issued_at = utcnow()
    serials: set[str] = set()
    records: list[tuple[Any, ...]] = []
    issued: list[dict[str, Any]] = []
    for row in rows:
        serial = new_serial(settings.products[row.product])
        while serial in serials:  # 55 random bits: practically never, but never twice in one file
            serial = new_serial(settings.products[row.product])
        serials.add(serial)
        registration = new_registration_number()
        records.append(
            (
                uuid4(),
                serial,
                row.product,
                row.edition,
                row.seats,
                row.purchased_on,
                row.warranty_ends,
                registration_hash(settings.pepper, registration),
                row.customer_ref,
                issued_at,
            )
        )
        issued.append(
            {
                "serial": serial,
                "registration_number": registration,
                "product": row.product,
                "edition": row.edition,
                "seats": row.seats,
                "customer_ref": row.customer_ref or "",
            }
        )
    del rows, serials
    await _audit(
        session,
        actor,
        "licenses.import",
        f"import:{issued_at.isoformat()}",
        count=len(records),
        origin=origin,
    )
    await copy_licenses(session, records)
    # Events are built while COPY streams them: 100,000 envelopes are never all in memory.
    events = (
        LicenseIssued(
            license_id=r[0],
            serial=r[1],
            product=r[2],
            edition=r[3],
            seats=r[4],
            purchased_on=r[5],
            warranty_ends=r[6],
        )
        for r in records
    )
    await copy_events(session, events, source=SOURCE)
    return issued
