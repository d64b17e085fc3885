"""Who wrote, and what they may open cases on: read from the cases service's projections of
identity's people and licensing's holdings (no call to another service)."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.cases.models import Holding, Person
from shared import entitlements


@dataclass(frozen=True)
class CoveredLicense:
    license_id: UUID
    product: str
    coverage_end: date


async def person_by_address(session: AsyncSession, address: str) -> Person | None:
    """The verified account with this address (people are projected on verification)."""
    query = select(Person).where(func.lower(col(Person.email)) == address.lower())
    return (await session.exec(query.order_by(col(Person.as_of).desc()).limit(1))).first()


async def covered_licenses(session: AsyncSession, account_id: UUID, today: date) -> list[CoveredLicense]:
    """Licenses whose coverage is active today, the one that runs longest first per product."""
    rows = await session.exec(
        select(Holding).where(col(Holding.account_id) == account_id, col(Holding.void).is_(False))
    )
    covered = [
        CoveredLicense(h.license_id, h.product, h.coverage_end)
        for h in rows.all()
        if entitlements.Period(h.coverage_start, h.coverage_end).contains(today)
    ]
    return sorted(covered, key=lambda c: (c.product, -c.coverage_end.toordinal()))


def pick_license(covered: list[CoveredLicense], subject: str) -> CoveredLicense | list[str]:
    """The license a new case is about, or the products to choose from when the mail does not
    say (one product: that one; several: the one whose name the subject mentions)."""
    products = sorted({c.product for c in covered})
    if len(products) > 1:
        words = subject.lower()
        named = [p for p in products if p.lower() in words]
        products = named if len(named) == 1 else products
    if len(products) == 1:
        return next(c for c in covered if c.product == products[0])
    return sorted({c.product for c in covered})
