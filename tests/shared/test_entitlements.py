"""Property tests of the coverage and entitlement rules (pure: no stack needed)."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.entitlements import (
    ONE_DAY,
    Coverage,
    Holding,
    Period,
    may_download,
    may_open_case,
)

days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
lengths = st.integers(min_value=0, max_value=3 * 365)


@st.composite
def periods(draw) -> Period:
    start = draw(days)
    return Period(start, start + timedelta(days=draw(lengths)))


@st.composite
def contiguous_chain(draw) -> tuple[Period, list[Period]]:
    """A warranty and contracts issued under the back-pay rule (each starts the day after)."""
    warranty = draw(periods())
    contracts, end = [], warranty.end
    for length in draw(st.lists(lengths, max_size=5)):
        contract = Period(end + ONE_DAY, end + ONE_DAY + timedelta(days=length))
        assert Coverage.of(Period(warranty.start, end)).check(contract).fits
        contracts.append(contract)
        end = contract.end
    return warranty, contracts


@given(periods(), st.lists(periods(), max_size=6))
def test_coverage_is_one_contiguous_interval_starting_at_warranty(warranty, contracts):
    coverage = Coverage.of(warranty, contracts)
    assert coverage.start == warranty.start
    assert coverage.end >= warranty.end
    # every day of the interval is covered by the warranty or by a contract
    covering = [warranty, *contracts]
    probe = coverage.start
    while probe <= coverage.end:
        assert any(p.contains(probe) for p in covering)
        probe += timedelta(days=max(1, (coverage.end - coverage.start).days // 50))


@given(contiguous_chain())
def test_back_pay_chain_covers_everything_without_gap(chain):
    warranty, contracts = chain
    coverage = Coverage.of(warranty, contracts)
    assert coverage.end == (contracts[-1].end if contracts else warranty.end)
    assert coverage.sources == (warranty, *contracts)


@given(periods(), periods())
def test_back_pay_rule_never_admits_a_gap_or_overlap(warranty, contract):
    coverage = Coverage.of(warranty)
    check = coverage.check(contract)
    if check.fits:
        assert contract.start == coverage.end + ONE_DAY
        assert coverage.with_contract(contract).end == max(coverage.end, contract.end)
        assert coverage.with_contract(contract).contracts == (contract,)
    else:
        assert check.required_start == coverage.end + ONE_DAY
        assert (check.gap is None) != (check.overlap is None)
        if check.gap:
            assert check.gap.start == coverage.end + ONE_DAY and check.gap.end == contract.start - ONE_DAY


@given(contiguous_chain(), days, st.sampled_from(["product", "update", "document"]))
def test_release_after_coverage_end_is_never_an_entitlement(chain, published_on, kind):
    warranty, contracts = chain
    coverage = Coverage.of(warranty, contracts).period
    holding = Holding("OMFLOW", coverage)
    allowed = may_download([holding], "OMFLOW", kind, published_on)
    assert allowed == (published_on <= coverage.end)
    assert not may_download([holding], "OTHER", kind, published_on)


@given(contiguous_chain(), st.integers(min_value=0, max_value=5), days, days)
def test_entitlements_never_grow_when_coverage_shrinks(chain, dropped, published_on, today):
    warranty, contracts = chain
    full = Holding("OMFLOW", Coverage.of(warranty, contracts).period)
    shrunk = Holding("OMFLOW", Coverage.of(warranty, contracts[: max(0, len(contracts) - dropped)]).period)
    assert shrunk.coverage.end <= full.coverage.end
    if may_download([shrunk], "OMFLOW", "update", published_on):
        assert may_download([full], "OMFLOW", "update", published_on)
    if may_open_case([shrunk], "OMFLOW", today):
        assert may_open_case([full], "OMFLOW", today)


def test_cases_need_coverage_active_today():
    holding = Holding("OMFLOW", Period(date(2024, 1, 1), date(2025, 1, 1)))
    assert may_open_case([holding], "OMFLOW", date(2025, 1, 1))
    assert not may_open_case([holding], "OMFLOW", date(2025, 1, 2))
    assert not may_open_case([holding], "OMFLOW", date(2023, 12, 31))


def test_coverage_status_names_warranty_contract_and_lapse():
    warranty = Period(date(2024, 1, 1), date(2024, 12, 31))
    coverage = Coverage.of(warranty, [Period(date(2025, 1, 1), date(2025, 12, 31))])
    assert coverage.status(date(2023, 12, 31)) == "not_started"
    assert coverage.status(date(2024, 6, 1)) == "in_warranty"
    assert coverage.status(date(2025, 6, 1)) == "under_contract"
    assert coverage.status(date(2026, 1, 1)) == "lapsed"
    assert coverage.lapsed_since(date(2025, 12, 31)) is None
    assert coverage.lapsed_since(date(2026, 3, 1)) == date(2026, 1, 1)


def test_a_contract_after_a_gap_is_not_a_source_of_coverage():
    warranty = Period(date(2024, 1, 1), date(2024, 12, 31))
    renewal = Period(date(2025, 1, 1), date(2025, 6, 30))
    stray = Period(date(2025, 8, 1), date(2026, 7, 31))  # leaves July 2025 unpaid
    coverage = Coverage.of(warranty, [stray, renewal])
    assert coverage.sources == (warranty, renewal)
    assert coverage.period == Period(date(2024, 1, 1), date(2025, 6, 30))
    check = coverage.check(stray)
    assert not check.fits and check.gap == Period(date(2025, 7, 1), date(2025, 7, 31))
