"""Licensing events built from the model (pure: no stack)."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from services.licensing import events
from services.licensing.bulk import LicenseRow
from services.licensing.models import Contract, License
from shared.entitlements import Coverage, Period

WARRANTY = Period(date(2024, 1, 1), date(2024, 12, 31))
CONTRACT = Period(date(2025, 1, 1), date(2025, 12, 31))


def _license(**changes: object) -> License:
    values: dict[str, object] = {
        "serial": "OMF-7K3Q-M9PX-2DR3",
        "registration_hash": "0" * 64,
        "product": "OMFLOW",
        "edition": "Enterprise",
        "seats": 25,
        "purchased_on": WARRANTY.start,
        "warranty_ends": WARRANTY.end,
    }
    return License(**(values | changes))


def test_bound_events_carry_the_holder_and_the_whole_coverage() -> None:
    license = _license(account_id=uuid4())
    contract = Contract(
        license_id=license.id, starts_on=CONTRACT.start, ends_on=CONTRACT.end, registration_hash="1" * 64
    )
    coverage = Coverage.of(WARRANTY, [CONTRACT])
    bound = events.license_bound(license, coverage)
    assert (bound.account_id, bound.coverage_start, bound.coverage_end) == (
        license.account_id,
        date(2024, 1, 1),
        date(2025, 12, 31),
    )
    contract_bound = events.contract_bound(license, contract, coverage)
    assert (contract_bound.contract_id, contract_bound.starts_on) == (contract.id, CONTRACT.start)
    moved = events.binding_moved(license, uuid4(), coverage)
    assert moved.to_account_id == license.account_id and moved.from_account_id != license.account_id


def test_an_unbound_license_has_no_bound_event() -> None:
    with pytest.raises(ValueError, match="not bound"):
        events.license_bound(_license(), Coverage.of(WARRANTY))


def test_a_void_license_leaves_no_coverage_a_void_contract_leaves_what_remains() -> None:
    void = _license(account_id=uuid4(), voided_at=datetime(2025, 3, 1, tzinfo=UTC))
    voided = events.license_voided(void, None)
    assert voided.license_void and voided.coverage_start is None and voided.coverage_end is None
    remaining = events.license_voided(_license(account_id=uuid4()), Coverage.of(WARRANTY))
    assert not remaining.license_void and remaining.coverage_end == WARRANTY.end


def test_an_imported_row_and_a_license_make_the_same_issued_event() -> None:
    license = _license()
    row = LicenseRow(
        license.id,
        license.serial,
        license.product,
        license.edition,
        license.seats,
        license.purchased_on,
        license.warranty_ends,
        license.registration_hash,
        None,
        datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert events.license_issued(row) == events.license_issued(license)
