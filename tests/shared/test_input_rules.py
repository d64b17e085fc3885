"""Input that used to reach PostgreSQL and come back as a 500: NUL characters, unbounded
paging, dates at the end of the calendar. Each is a 422 problem+json naming the field, through
the gateway, in every service."""

from typing import Any

import httpx
import pytest

from tests.accounts import Accounts, PortalUser

PROBLEM = "application/problem+json"
HUGE = "9223372036854775808"  # 2**63: one past PostgreSQL's bigint


@pytest.fixture(scope="module")
async def staff(accounts: Accounts) -> PortalUser:
    return await accounts.user("admin", "support", name="Input Rules Staff")


@pytest.fixture(scope="module")
async def customer(accounts: Accounts) -> PortalUser:
    return await accounts.user("customer", name="Input Rules Customer")


def assert_field_error(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"] == "/problems/validation"
    assert field in [error["field"] for error in body["errors"]], body["errors"]


def _license(**changes: str) -> dict[str, Any]:
    return {
        "product": "OMFLOW",
        "edition": "Enterprise",
        "seats": 5,
        "purchased_on": "2026-01-15",
        "warranty_ends": "2027-01-14",
    } | changes


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/licensing/admin/licenses?q=OMF%00", "query.q"),
        ("/api/licensing/admin/audit?target=%00", "query.target"),
        ("/api/notifier/admin/deliveries?email=a%00%40example.com", "query.email"),
        ("/api/identity/admin/users?q=%00", "query.q"),
    ],
)
async def test_nul_in_a_query_parameter_is_a_422_naming_it(
    gateway: httpx.AsyncClient, staff: PortalUser, path: str, field: str
) -> None:
    assert_field_error(await gateway.get(path, headers=staff.headers), field)


async def test_nul_in_json_text_is_a_422_naming_the_field_and_nothing_is_written(
    gateway: httpx.AsyncClient, staff: PortalUser, customer: PortalUser
) -> None:
    edition = f"Edition-{staff.user_id.hex[:8]}"
    issue = await gateway.post(
        "/api/licensing/admin/licenses", json=_license(edition=edition + "\x00"), headers=staff.headers
    )
    assert_field_error(issue, "edition")
    found = await gateway.get(f"/api/licensing/admin/licenses?q={edition}", headers=staff.headers)
    assert found.status_code == 200 and found.json() == []

    case = {
        "license_id": str(customer.user_id),
        "category": "bug",
        "subject": "Crash\x00",
        "description": "It stops",
    }
    assert_field_error(await gateway.post("/api/cases/cases", json=case, headers=customer.headers), "subject")
    renamed = await gateway.patch("/api/identity/me", json={"name": "Eve\x00"}, headers=customer.headers)
    assert_field_error(renamed, "name")


@pytest.mark.parametrize(
    "path",
    [
        f"/api/cases/cases?offset={HUGE}",
        f"/api/downloads/releases?offset={HUGE}",
        f"/api/licensing/admin/licenses?offset={HUGE}",
        "/api/licensing/admin/audit?limit=100000",
        f"/api/notifier/admin/deliveries?offset={HUGE}",
        f"/api/identity/admin/audit?offset={HUGE}",
    ],
)
async def test_paging_parameters_are_bounded(
    gateway: httpx.AsyncClient, staff: PortalUser, path: str
) -> None:
    response = await gateway.get(path, headers=staff.headers)
    assert_field_error(response, "query.limit" if "limit=" in path else "query.offset")


async def test_paging_within_bounds_still_pages(gateway: httpx.AsyncClient, staff: PortalUser) -> None:
    response = await gateway.get("/api/notifier/admin/deliveries?limit=1&offset=0", headers=staff.headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) <= 1


async def test_dates_at_the_end_of_the_calendar_are_a_422(
    gateway: httpx.AsyncClient, staff: PortalUser
) -> None:
    forever = await gateway.post(
        "/api/licensing/admin/licenses", json=_license(warranty_ends="9999-12-31"), headers=staff.headers
    )
    assert_field_error(forever, "warranty_ends")
    issued = await gateway.post("/api/licensing/admin/licenses", json=_license(), headers=staff.headers)
    assert issued.status_code == 201, issued.text
    contract = await gateway.post(
        f"/api/licensing/admin/licenses/{issued.json()['serial']}/contracts",
        json={"starts_on": "2027-01-15", "ends_on": "9999-12-31"},
        headers=staff.headers,
    )
    assert_field_error(contract, "ends_on")
