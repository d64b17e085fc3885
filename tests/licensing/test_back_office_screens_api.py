"""The back-office screens' API on the real stack: the back-pay preview, restoring a void (and
the projections of downloads, cases and the notifier following it), the import dry run, search
filters and the audit filters; administrators only."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.accounts import PortalUser
from tests.conftest import database_url
from tests.kit import eventually
from tests.licensing.helpers import API, create_staff, events_about, issue_contract, issue_license, lookup

PROJECTIONS = {"downloads": "holdings", "cases": "holdings", "notifier": "holding"}


@pytest.fixture(scope="module")
async def support(stack: dict[str, Any]) -> PortalUser:
    return await create_staff(stack, roles="support")


async def test_contract_terms_preview_the_refusal_issuance_would_give(
    gateway: httpx.AsyncClient, staff: PortalUser
) -> None:
    license = await issue_license(gateway, staff, purchased_on="2023-03-01", warranty_ends="2024-02-29")
    url = f"{API}/admin/licenses/{license['serial']}/contract-terms"
    headers = staff.headers

    bare = (await gateway.get(url, headers=headers)).json()
    assert (bare["coverage_end"], bare["required_start"], bare["fits"]) == ("2024-02-29", "2024-03-01", True)

    late = await gateway.get(
        url, params={"starts_on": "2024-06-01", "ends_on": "2025-05-31"}, headers=headers
    )
    assert late.status_code == 200, late.text
    gap = late.json()
    assert gap["fits"] is False
    assert (gap["gap_start"], gap["gap_end"], gap["gap_days"]) == ("2024-03-01", "2024-05-31", 92)
    refused = (await issue_contract(gateway, staff, license["serial"], "2024-06-01", "2025-05-31")).json()
    assert (refused["gap_start"], refused["gap_end"], refused["required_start"]) == (
        gap["gap_start"],
        gap["gap_end"],
        gap["required_start"],
    )

    early = (
        await gateway.get(url, params={"starts_on": "2024-01-01", "ends_on": "2025-01-01"}, headers=headers)
    ).json()
    assert (early["overlap_start"], early["overlap_end"], early["gap_start"]) == (
        "2024-01-01",
        "2024-02-29",
        None,
    )

    exact = (
        await gateway.get(url, params={"starts_on": "2024-03-01", "ends_on": "2025-02-28"}, headers=headers)
    ).json()
    assert exact["fits"] is True and exact["gap_start"] is None and exact["overlap_start"] is None
    assert (
        await issue_contract(gateway, staff, license["serial"], "2024-03-01", "2025-02-28")
    ).status_code == 201
    after = (await gateway.get(url, headers=headers)).json()
    assert after["required_start"] == "2025-03-01"

    bad_date = await gateway.get(url, params={"starts_on": "2024-02-30"}, headers=headers)
    assert bad_date.status_code == 422
    assert bad_date.headers["content-type"].startswith("application/problem+json")
    unknown = await gateway.get(f"{API}/admin/licenses/OMF-NOPE/contract-terms", headers=headers)
    assert unknown.status_code == 422 and unknown.json()["type"] == "/problems/malformed-serial"


async def _holding(connection: asyncpg.Connection, table: str, license_id: str) -> dict[str, Any] | None:
    row = await connection.fetchrow(
        f"SELECT account_id, void, coverage_end FROM {table} WHERE license_id = $1",  # noqa: S608 (fixed names)
        uuid.UUID(license_id),
    )
    return dict(row) if row else None


@pytest.fixture
async def projections(stack: dict[str, Any]) -> AsyncIterator[dict[str, asyncpg.Connection]]:
    connections = {name: await asyncpg.connect(database_url(stack, name)) for name in PROJECTIONS}
    yield connections
    for connection in connections.values():
        await connection.close()


async def _projected(
    projections: dict[str, asyncpg.Connection], license_id: str, *, void: bool, what: str
) -> dict[str, dict[str, Any]]:
    async def probe() -> dict[str, dict[str, Any]] | None:
        rows = {
            name: await _holding(projections[name], table, license_id) for name, table in PROJECTIONS.items()
        }
        return rows if all(row is not None and row["void"] is void for row in rows.values()) else None

    return await eventually(probe, timeout=60, what=what)


async def test_a_void_license_is_restored_for_the_customer_and_every_projection(
    gateway: httpx.AsyncClient,
    staff: PortalUser,
    new_customer: Any,
    stack: dict[str, Any],
    projections: dict[str, asyncpg.Connection],
) -> None:
    customer = await new_customer()
    license = await issue_license(gateway, staff, purchased_on="2024-01-01", warranty_ends="2099-12-31")
    serial = license["serial"]
    assert (
        await gateway.post(f"{API}/me/licenses", json=lookup(license), headers=customer.headers)
    ).status_code == 201
    await _projected(projections, license["license_id"], void=False, what="the binding in every projection")

    voided = await gateway.post(
        f"{API}/admin/licenses/{serial}/void",
        json={"reason": "refund, order 7"},
        headers=staff.headers,
    )
    assert voided.status_code == 200, voided.text
    await _projected(projections, license["license_id"], void=True, what="the void in every projection")
    assert (await gateway.get(f"{API}/me/licenses", headers=customer.headers)).json() == []

    no_reason = await gateway.post(f"{API}/admin/licenses/{serial}/restore", json={}, headers=staff.headers)
    assert no_reason.status_code == 422
    restored = await gateway.post(
        f"{API}/admin/licenses/{serial}/restore",
        json={"reason": "refund cancelled, order 7"},
        headers=staff.headers,
    )
    assert restored.status_code == 200, restored.text
    assert restored.json()["voided_at"] is None and restored.json()["account_id"] == str(customer.user_id)

    rows = await _projected(
        projections, license["license_id"], void=False, what="the restore in every projection"
    )
    for row in rows.values():
        assert str(row["account_id"]) == str(customer.user_id) and str(row["coverage_end"]) == "2099-12-31"
    [mine] = (await gateway.get(f"{API}/me/licenses", headers=customer.headers)).json()
    assert mine["serial"] == serial

    events = await events_about(
        stack["kafka"]["bootstrap"],
        "licensing.license",
        license["license_id"],
        want={"licensing.LicenseVoided.v1", "licensing.LicenseRestored.v1"},
    )
    [event] = [e for e in events if e["type"] == "licensing.LicenseRestored.v1"]
    assert event["data"]["account_id"] == str(customer.user_id) and event["data"]["contract_id"] is None

    again = await gateway.post(
        f"{API}/admin/licenses/{serial}/restore", json={"reason": "twice"}, headers=staff.headers
    )
    assert again.status_code == 409 and again.json()["type"] == "/problems/not-void"

    audit = (await gateway.get(f"{API}/admin/audit", params={"target": serial}, headers=staff.headers)).json()
    entry = next(e for e in audit if e["action"] == "license.restore")
    assert entry["reason"] == "refund cancelled, order 7" and entry["actor_email"] == staff.email
    assert (entry["before"]["void"], entry["after"]["void"]) == (True, False)


async def test_a_void_contract_is_restored_unless_its_days_were_sold_again(
    gateway: httpx.AsyncClient, staff: PortalUser
) -> None:
    license = await issue_license(gateway, staff, purchased_on="2024-01-01", warranty_ends="2025-01-01")
    serial = license["serial"]
    contract = (await issue_contract(gateway, staff, serial, "2025-01-02", "2026-01-01")).json()
    void = await gateway.post(
        f"{API}/admin/contracts/{contract['contract_id']}/void",
        json={"reason": "typo"},
        headers=staff.headers,
    )
    assert void.status_code == 200
    restore = f"{API}/admin/contracts/{contract['contract_id']}/restore"
    back = await gateway.post(restore, json={"reason": "not a typo"}, headers=staff.headers)
    assert back.status_code == 200, back.text
    [view] = back.json()["contracts"]
    assert view["voided_at"] is None

    await gateway.post(
        f"{API}/admin/contracts/{contract['contract_id']}/void",
        json={"reason": "resold"},
        headers=staff.headers,
    )
    assert (await issue_contract(gateway, staff, serial, "2025-01-02", "2025-12-31")).status_code == 201
    clash = await gateway.post(restore, json={"reason": "undo"}, headers=staff.headers)
    assert clash.status_code == 409 and clash.json()["type"] == "/problems/coverage-overlap"
    missing = await gateway.post(
        f"{API}/admin/contracts/{uuid.uuid4()}/restore", json={"reason": "x"}, headers=staff.headers
    )
    assert missing.status_code == 404


@pytest.mark.parametrize("who", ["customer", "support"])
async def test_only_administrators_use_the_new_back_office_endpoints(
    gateway: httpx.AsyncClient, staff: PortalUser, support: PortalUser, new_customer: Any, who: str
) -> None:
    license = await issue_license(gateway, staff)
    contract = (await issue_contract(gateway, staff, license["serial"], "2025-01-02", "2026-01-01")).json()
    caller = support if who == "support" else await new_customer()
    headers = caller.headers
    serial = license["serial"]
    calls = [
        gateway.get(f"{API}/admin/licenses/{serial}/contract-terms", headers=headers),
        gateway.post(f"{API}/admin/licenses/{serial}/restore", json={"reason": "r"}, headers=headers),
        gateway.post(
            f"{API}/admin/contracts/{contract['contract_id']}/restore", json={"reason": "r"}, headers=headers
        ),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    if who == "customer":
        dry = await gateway.post(
            f"{API}/admin/licenses/import",
            params={"dry_run": "true"},
            content=b"product,edition,seats,purchased_on,warranty_ends\n",
            headers={**headers, "Content-Type": "text/csv"},
        )
        assert dry.status_code == 403


async def test_import_dry_run_lists_every_bad_line_and_writes_nothing(
    gateway: httpx.AsyncClient, staff: PortalUser
) -> None:
    ref = f"DRY-{uuid.uuid4().hex[:8]}"
    bad = (
        "product,edition,seats,purchased_on,warranty_ends,customer_ref\n"
        f"OMFLOW,Standard,5,2024-01-01,2025-01-01,{ref}-1\n"
        f"NOTEPAD,Standard,5,2024-01-01,2025-01-01,{ref}-2\n"
        f"OMFLOW,Standard,0,2024-01-01,2023-01-01,{ref}-3\n"
    ).encode()
    headers = {**staff.headers, "Content-Type": "text/csv"}
    checked = await gateway.post(
        f"{API}/admin/licenses/import", params={"dry_run": "true"}, content=bad, headers=headers
    )
    assert checked.status_code == 200, checked.text
    report = checked.json()
    assert report["valid"] is False and report["bad_lines"] == 2
    assert {(e["line"], e["field"]) for e in report["errors"]} == {
        (3, "product"),
        (4, "seats"),
        (4, "warranty_ends"),
    }

    good = bad.split(b"\n")[0] + b"\n" + bad.split(b"\n")[1] + b"\n"
    clean = await gateway.post(
        f"{API}/admin/licenses/import", params={"dry_run": "true"}, content=good, headers=headers
    )
    assert clean.json() == {"valid": True, "rows": 1, "bad_lines": 0, "errors": []}
    found = await gateway.get(f"{API}/admin/licenses", params={"q": f"{ref}-1"}, headers=staff.headers)
    assert found.json() == []  # a dry run issues nothing

    imported = await gateway.post(f"{API}/admin/licenses/import", content=good, headers=headers)
    assert imported.status_code == 201 and imported.headers["x-imported-count"] == "1"


async def test_search_filters_by_product_and_state(
    gateway: httpx.AsyncClient, staff: PortalUser, new_customer: Any
) -> None:
    ref = f"STATE-{uuid.uuid4().hex[:8]}"
    unbound = await issue_license(gateway, staff, product="OMCLOUD", customer_ref=f"{ref}-u")
    bound = await issue_license(gateway, staff, product="OMCLOUD", customer_ref=f"{ref}-b")
    void = await issue_license(gateway, staff, product="OMCLOUD", customer_ref=f"{ref}-v")
    customer = await new_customer()
    assert (
        await gateway.post(f"{API}/me/licenses", json=lookup(bound), headers=customer.headers)
    ).status_code == 201
    await gateway.post(
        f"{API}/admin/licenses/{void['serial']}/void", json={"reason": "r"}, headers=staff.headers
    )

    async def serials(**params: str) -> set[str]:
        response = await gateway.get(
            f"{API}/admin/licenses", params={"limit": "200", **params}, headers=staff.headers
        )
        assert response.status_code == 200, response.text
        return {license["serial"] for license in response.json()}

    mine = {unbound["serial"], bound["serial"], void["serial"]}
    assert await serials(q=customer.email, state="bound") == {bound["serial"]}
    assert await serials(q=customer.email, state="unbound") == set()
    assert void["serial"] in await serials(product="omcloud", state="void")
    assert unbound["serial"] in await serials(product="OMCLOUD", state="unbound")
    assert mine.isdisjoint(await serials(product="OMFLOW", q=f"{ref}-u"))
    contract = (await issue_contract(gateway, staff, unbound["serial"], "2025-01-02", "2026-01-01")).json()
    assert await serials(q=contract["contract_id"]) == {unbound["serial"]}
    wrong_state = await gateway.get(f"{API}/admin/licenses", params={"state": "lost"}, headers=staff.headers)
    assert wrong_state.status_code == 422


async def test_audit_filters_by_who_what_and_when(
    gateway: httpx.AsyncClient, staff: PortalUser, stack: dict[str, Any], identity: httpx.AsyncClient
) -> None:
    other = await create_staff(stack)
    license = await issue_license(gateway, staff)
    serial = license["serial"]
    await gateway.post(
        f"{API}/admin/licenses/{serial}/void", json={"reason": "by other"}, headers=other.headers
    )

    async def actions(**params: str) -> list[str]:
        response = await gateway.get(
            f"{API}/admin/audit", params={"target": serial, **params}, headers=staff.headers
        )
        assert response.status_code == 200, response.text
        return [entry["action"] for entry in response.json()]

    assert sorted(await actions()) == ["license.issue", "license.void"]
    assert await actions(actor=other.email) == ["license.void"]
    assert await actions(actor=str(staff.user_id)) == ["license.issue"]
    assert await actions(action="license.void") == ["license.void"]
    assert sorted(await actions(action="license")) == ["license.issue", "license.void"]
    assert await actions(action="contract") == []
    assert await actions(until="2000-01-01") == []
    assert len(await actions(since="2000-01-01")) == 2
    assert len(await actions(since="1980-01-01", until="2099-12-31")) == 2
    for edge in ({"since": "0001-01-01"}, {"until": "9999-12-31"}):
        refused = await gateway.get(
            f"{API}/admin/audit", params={"target": serial, **edge}, headers=staff.headers
        )
        assert refused.status_code == 422, refused.text
    bad = await gateway.get(f"{API}/admin/audit", params={"since": "yesterday"}, headers=staff.headers)
    assert bad.status_code == 422
