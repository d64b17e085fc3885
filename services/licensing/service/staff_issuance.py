"""Staff-facing issuance: licenses one by one or imported from CSV, maintenance contracts, and
the back-pay preview of a contract's dates.
"""

from datetime import date
from typing import Any
from uuid import uuid4

from sqlmodel.ext.asyncio.session import AsyncSession

from services.licensing import schemas
from services.licensing.bulk import LicenseRow, copy_events, copy_licenses
from services.licensing.config import Settings
from services.licensing.csv_import import ImportRejected, parse_import
from services.licensing.events import SOURCE, contract_issued, license_issued, publish
from services.licensing.models import AuditAction, Contract, License
from services.licensing.problems import (
    COVERAGE_GAP,
    COVERAGE_OVERLAP,
    IMPORT_INVALID,
    LICENSE_VOID,
    UNKNOWN_PRODUCT,
)
from services.licensing.serials import new_registration_number, new_serial, registration_hash
from services.licensing.service.repository import (
    ONE_DAY,
    audit,
    issuance_coverage,
    license_by_serial,
    refused_contract_dates,
    utcnow,
)
from services.licensing.texts import (
    IMPORT_HAS_PROBLEMS,
    RENEWAL_MUST_PAY_GAP,
    RENEWAL_OVERLAPS,
    USE_KNOWN_PRODUCT,
    VOID_LICENSE_GETS_NO_CONTRACT,
)
from shared.auth import Principal
from shared.entitlements import Period
from shared.http.problems import Problem


def product_prefix(settings: Settings, product: str) -> str:
    prefix = settings.products.get(product)
    if prefix is None:
        raise Problem(
            UNKNOWN_PRODUCT,
            detail=USE_KNOWN_PRODUCT(products=sorted(settings.products)),
            errors=[{"field": "product", "message": f"unknown product {product!r}"}],
        )
    return prefix


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
    audit(
        session,
        actor,
        AuditAction.LICENSE_ISSUE,
        license.serial,
        product=license.product,
        seats=license.seats,
    )
    await session.flush()
    await publish(session, license_issued(license))
    return schemas.LicenseIssued(
        **schemas.public_terms(license),
        license_id=license.id,
        registration_number=registration,
        customer_ref=license.customer_ref,
        issued_at=license.issued_at,
    )


async def issue_contract(
    session: AsyncSession, settings: Settings, actor: Principal, serial: str, data: schemas.ContractIssue
) -> schemas.ContractIssued:
    license = await license_by_serial(session, settings, serial, lock=True)  # lock: one issuance at a time
    if license.voided_at is not None:
        raise Problem(LICENSE_VOID, detail=VOID_LICENSE_GETS_NO_CONTRACT())
    coverage = await issuance_coverage(session, license)
    check = coverage.check(Period(data.starts_on, data.ends_on))
    if check.gap is not None:
        raise Problem(
            COVERAGE_GAP,
            detail=RENEWAL_MUST_PAY_GAP(
                coverage_end=coverage.end,
                required_start=check.required_start,
                gap_start=check.gap.start,
                gap_end=check.gap.end,
            ),
            extra=refused_contract_dates(coverage, check),
        )
    if check.overlap is not None:
        raise Problem(
            COVERAGE_OVERLAP,
            detail=RENEWAL_OVERLAPS(
                overlap_start=check.overlap.start,
                overlap_end=check.overlap.end,
                required_start=check.required_start,
            ),
            extra=refused_contract_dates(coverage, check),
        )
    registration = new_registration_number()
    contract = Contract(
        license_id=license.id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        registration_hash=registration_hash(settings.pepper, registration),
    )
    session.add(contract)
    audit(
        session,
        actor,
        AuditAction.CONTRACT_ISSUE,
        license.serial,
        contract_id=str(contract.id),
        starts_on=data.starts_on.isoformat(),
        ends_on=data.ends_on.isoformat(),
    )
    await session.flush()
    await publish(session, contract_issued(license, contract))
    return schemas.ContractIssued(
        **contract.model_dump(include={"starts_on", "ends_on", "issued_at"}),
        contract_id=contract.id,
        license_id=license.id,
        serial=license.serial,
        registration_number=registration,
    )


async def contract_terms(
    session: AsyncSession, settings: Settings, serial: str, starts_on: date | None, ends_on: date | None
) -> schemas.ContractTerms:
    """What issuing a contract with these dates would meet, by the same rule issuance applies:
    the required start date, and the lapsed gap (or the overlap) the dates would leave."""
    license = await license_by_serial(session, settings, serial)
    coverage = await issuance_coverage(session, license)
    required = coverage.end + ONE_DAY
    terms = schemas.ContractTerms(
        serial=license.serial,
        license_void=license.voided_at is not None,
        coverage_start=coverage.start,
        coverage_end=coverage.end,
        required_start=required,
        starts_on=starts_on,
        ends_on=ends_on,
        fits=starts_on is None or starts_on == required,
    )
    if starts_on is None:
        return terms
    check = coverage.check(Period(starts_on, max(starts_on, ends_on or starts_on)))
    terms.fits = check.fits
    if check.gap is not None:
        terms.gap_start, terms.gap_end = check.gap.start, check.gap.end
        terms.gap_days = (check.gap.end - check.gap.start).days + 1
    if check.overlap is not None:
        terms.overlap_start, terms.overlap_end = check.overlap.start, check.overlap.end
    return terms


async def import_licenses(
    session: AsyncSession, settings: Settings, actor: Principal | None, data: bytes, *, origin: str = "api"
) -> list[dict[str, Any]]:
    """Validate every row, then issue all licenses in the caller's one transaction.

    Returns what was issued, registration numbers included: the operator gets them once.
    """
    try:
        rows = parse_import(data, set(settings.products))
    except ImportRejected as rejected:
        raise Problem(
            IMPORT_INVALID,
            detail=IMPORT_HAS_PROBLEMS(count=len(rejected.errors)),
            errors=rejected.errors,
        ) from rejected
    issued_at = utcnow()
    serials: set[str] = set()
    records: list[LicenseRow] = []
    issued: list[dict[str, Any]] = []
    for row in rows:
        serial = new_serial(settings.products[row.product])
        while serial in serials:  # 55 random bits: practically never, but never twice in one file
            serial = new_serial(settings.products[row.product])
        serials.add(serial)
        registration = new_registration_number()
        records.append(
            LicenseRow(
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
    audit(
        session,
        actor,
        AuditAction.LICENSES_IMPORT,
        f"import:{issued_at.isoformat()}",
        count=len(records),
        origin=origin,
    )
    await copy_licenses(session, records)
    # Events are built while COPY streams them: 100,000 envelopes are never all in memory.
    events = (license_issued(record) for record in records)
    await copy_events(session, events, source=SOURCE)
    return issued


def check_import(settings: Settings, data: bytes) -> schemas.ImportCheck:
    """A dry run: every bad row with its line, and nothing written."""
    try:
        rows = parse_import(data, set(settings.products))
    except ImportRejected as rejected:
        lines = {error["line"] for error in rejected.errors}
        return schemas.ImportCheck(
            valid=False,
            rows=0,
            bad_lines=len(lines),
            errors=[schemas.ImportProblem(**error) for error in rejected.errors],
        )
    return schemas.ImportCheck(valid=True, rows=len(rows), bad_lines=0, errors=[])
