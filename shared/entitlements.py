"""Coverage and entitlements: the business rule every service applies, in one pure module.

Coverage of a license is its warranty plus its bound maintenance contracts, and by the back-pay
rule it is always ONE contiguous interval: a contract must start the day after the current
coverage ends, so a customer who let coverage lapse pays for the gap too. No service derives
entitlements on its own; they all call these functions with the facts their events carried.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

ONE_DAY = timedelta(days=1)
ReleaseKind = Literal["product", "update", "document"]
# `preview` releases are for accounts that opted in to early versions; `stable` for everyone.
ReleaseChannel = Literal["stable", "preview"]


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class ContractCheck:
    """Whether a new contract fits the coverage, and if not, what would make it fit."""

    fits: bool
    required_start: date
    gap: Period | None = None  # the lapsed days the customer must pay back
    overlap: Period | None = None  # days already covered


CoverageStatus = Literal["in_warranty", "under_contract", "lapsed", "not_started"]


@dataclass(frozen=True)
class Coverage:
    """A license's coverage and what makes it: the warranty, then the contracts that continue it.

    Built once (`Coverage.of`) from the facts, then asked: its dates, its status on a day, whether
    a new contract fits, what it would be with one more contract.
    """

    warranty: Period
    contracts: tuple[Period, ...] = ()  # only those that extend it, in order

    @classmethod
    def of(cls, warranty: Period, contracts: Iterable[Period] = ()) -> "Coverage":
        """Warranty ∪ contracts as one interval, taking contracts in order while they are contiguous.

        A contract that would leave a gap is not coverage (issuance refuses such contracts; this
        keeps the rule total and honest if one slipped in).
        """
        end, sources = warranty.end, []
        for contract in sorted(contracts):
            if contract.start > end + ONE_DAY:
                break
            sources.append(contract)
            end = max(end, contract.end)
        return cls(warranty, tuple(sources))

    @property
    def start(self) -> date:
        return self.warranty.start

    @property
    def end(self) -> date:
        return max([self.warranty.end, *(contract.end for contract in self.contracts)])

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)

    @property
    def sources(self) -> tuple[Period, ...]:
        return (self.warranty, *self.contracts)

    def status(self, today: date) -> CoverageStatus:
        if today < self.start:
            return "not_started"
        if today > self.end:
            return "lapsed"
        return "in_warranty" if today <= self.warranty.end else "under_contract"

    def lapsed_since(self, today: date) -> date | None:
        """The first uncovered day, once coverage has lapsed."""
        return self.end + ONE_DAY if today > self.end else None

    def check(self, contract: Period) -> ContractCheck:
        """Back-pay rule: a new contract starts exactly the day after coverage ends.

        Starting later leaves a gap (refused: the gap must be paid); starting earlier overlaps days
        already covered (refused: a renewal bought early starts when the current coverage ends).
        """
        required = self.end + ONE_DAY
        if contract.start > required:
            return ContractCheck(False, required, gap=Period(required, contract.start - ONE_DAY))
        if contract.start < required:
            return ContractCheck(False, required, overlap=Period(contract.start, min(contract.end, self.end)))
        return ContractCheck(True, required)

    def with_contract(self, contract: Period) -> "Coverage":
        """The coverage once this contract counts too (a preview before binding it)."""
        return Coverage.of(self.warranty, [*self.contracts, contract])


@dataclass(frozen=True)
class Holding:
    """A license bound to an account, as far as entitlements care."""

    product: str
    coverage: Period


def _holdings_of(holdings: Iterable[Holding], product: str) -> list[Holding]:
    return [h for h in holdings if h.product == product]


def may_download(holdings: Iterable[Holding], product: str, kind: ReleaseKind, published_on: date) -> bool:
    """Products, updates, new versions and documents: anything of the product released on or
    before the coverage end. A lapsed customer keeps what was released while covered (like
    Keygen's "within expiry" fallback) but gets nothing newer until coverage is restored.

    `kind` is part of the signature on purpose: today all kinds share the rule, and a future
    difference belongs here, not in a service.
    """
    return any(published_on <= h.coverage.end for h in _holdings_of(holdings, product))


def sees_channel(channel: ReleaseChannel, preview_opted_in: bool) -> bool:
    """Who sees a release of a channel (catalog, grants, release mail): stable is for everyone
    entitled; preview only for accounts that opted in to preview releases."""
    return channel == "stable" or preview_opted_in


def visible_channels(preview_opted_in: bool) -> tuple[ReleaseChannel, ...]:
    """The channels an account sees, for queries that filter in the database."""
    return tuple(channel for channel in get_args(ReleaseChannel) if sees_channel(channel, preview_opted_in))


def has_active_coverage(holdings: Iterable[Holding], today: date, product: str | None = None) -> bool:
    """Opening support cases and receiving release notices need coverage active today."""
    candidates = holdings if product is None else _holdings_of(holdings, product)
    return any(h.coverage.contains(today) for h in candidates)


def may_open_case(holdings: Iterable[Holding], product: str, today: date) -> bool:
    return has_active_coverage(holdings, today, product)


def receives_release_notice(holdings: Iterable[Holding], product: str, today: date) -> bool:
    return has_active_coverage(holdings, today, product)
