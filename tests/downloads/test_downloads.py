"""Downloads end to end: release tool → release API → catalog → entitlement-checked presigned URLs.

Real MinIO, Kafka, PostgreSQL and gateway; licensing facts arrive as licensing's events.
"""

import base64
import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from shared import clock
from tests.accounts import Accounts, PortalUser
from tests.conftest import database_url
from tests.downloads.conftest import ReleaseTool
from tests.kit import eventually
from tests.licensing_events import EventPublisher, long_ago

OLD_RELEASE_DAY = date(2025, 1, 15)
NEW_RELEASE_DAY = date(2026, 3, 1)
LAPSED_ON = date(2025, 6, 30)


@dataclass
class Catalog:
    product: str
    old_release: uuid.UUID
    new_release: uuid.UUID
    new_file: Path
    publish_args: tuple[str | Path, ...]
    alice: PortalUser  # covered through 2030
    bob: PortalUser  # holds nothing
    carol: PortalUser  # coverage lapsed before the new release
    carol_license: uuid.UUID


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def _releases(gateway: httpx.AsyncClient, user: PortalUser, **params: str) -> list[dict[str, Any]]:
    response = await gateway.get("/api/downloads/releases", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
async def catalog(
    tmp_path_factory: pytest.TempPathFactory,
    release_tool: ReleaseTool,
    accounts: Accounts,
    events: EventPublisher,
    gateway: httpx.AsyncClient,
) -> Catalog:
    product = f"DLT{uuid.uuid4().hex[:6].upper()}"
    folder = tmp_path_factory.mktemp("release")
    old_file = folder / f"{product.lower()}-1.0.0.zip"
    old_file.write_bytes(os.urandom(64 * 1024))
    new_file = folder / f"{product.lower()}-2.0.0.tar.gz"
    new_file.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    notes = folder / "notes.md"
    notes.write_text("Fixes the scheduler.\n", encoding="utf-8")

    release_tool.publish(
        *("--product", product, "--version", "1.0.0", "--kind", "update", "--title", f"{product} 1.0.0"),
        *("--published-on", OLD_RELEASE_DAY.isoformat(), old_file),
    )
    new_args: tuple[str | Path, ...] = (
        *("--product", product, "--version", "2.0.0", "--kind", "update", "--title", f"{product} 2.0.0"),
        *("--notes", notes, "--published-on", NEW_RELEASE_DAY.isoformat(), new_file),
    )
    release_tool.publish(*new_args)

    alice, bob, carol = await accounts.user(), await accounts.user(), await accounts.user()
    await events.bind_license(alice.user_id, product, date(2025, 1, 1), date(2030, 12, 31))
    carol_bound = await events.bind_license(carol.user_id, product, date(2023, 1, 1), LAPSED_ON)
    carol_license = uuid.UUID(carol_bound.subject)

    async def both_projected() -> list[dict[str, Any]] | None:
        seen = [await _releases(gateway, user, product=product) for user in (alice, carol)]
        return seen[0] if all(len(s) == 2 for s in seen) else None

    listed = await eventually(both_projected, what="releases and holdings projected")
    by_version = {r["version"]: uuid.UUID(r["release_id"]) for r in listed}
    return Catalog(
        product,
        by_version["1.0.0"],
        by_version["2.0.0"],
        new_file,
        new_args,
        alice,
        bob,
        carol,
        carol_license,
    )


async def test_catalog_lists_published_releases_newest_first(
    gateway: httpx.AsyncClient, catalog: Catalog
) -> None:
    listed = await _releases(gateway, catalog.alice, product=catalog.product)
    assert [r["version"] for r in listed] == ["2.0.0", "1.0.0"]
    newest = listed[0]
    assert newest["entitled"] is True and newest["reason"] is None
    assert newest["kind"] == "update" and newest["published_on"] == NEW_RELEASE_DAY.isoformat()
    assert newest["notes"] == "Fixes the scheduler.\n"
    [artifact] = newest["artifacts"]
    assert artifact == {
        "filename": catalog.new_file.name,
        "size": catalog.new_file.stat().st_size,
        "sha256": _sha256(catalog.new_file),
        "content_type": "application/gzip",
    }
    assert await _releases(gateway, catalog.alice, product=catalog.product, kind="product") == []


async def test_entitled_user_downloads_bytes_matching_the_checksum(
    gateway: httpx.AsyncClient, catalog: Catalog
) -> None:
    path = f"/api/downloads/releases/{catalog.new_release}/artifacts/{catalog.new_file.name}"
    response = await gateway.get(path, headers=catalog.alice.headers)
    assert response.status_code == 307, response.text
    expected = _sha256(catalog.new_file)
    assert response.headers["X-Checksum-SHA256"] == expected
    assert response.headers["Digest"] == "sha-256=" + base64.b64encode(bytes.fromhex(expected)).decode()
    location = response.headers["Location"]
    assert location.startswith("http") and "X-Amz-Signature=" in location and "X-Amz-Expires=300" in location

    async with httpx.AsyncClient(timeout=60) as outside:
        fetched = await outside.get(location)
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == expected
    assert fetched.headers["Content-Disposition"].startswith("attachment;")
    assert catalog.new_file.name in fetched.headers["Content-Disposition"]


async def test_no_redirect_preference_answers_json(gateway: httpx.AsyncClient, catalog: Catalog) -> None:
    path = f"/api/downloads/releases/{catalog.new_release}/artifacts/{catalog.new_file.name}"
    response = await gateway.get(path, headers={**catalog.alice.headers, "Prefer": "no-redirect"})
    assert response.status_code == 200, response.text
    grant = response.json()
    assert grant["sha256"] == _sha256(catalog.new_file)
    assert grant["size"] == catalog.new_file.stat().st_size
    expires_at = datetime.fromisoformat(grant["expires_at"])
    assert timedelta(minutes=4) < expires_at - clock.now() <= timedelta(minutes=5, seconds=5)
    async with httpx.AsyncClient(timeout=60) as outside:
        fetched = await outside.get(grant["url"])
    assert hashlib.sha256(fetched.content).hexdigest() == grant["sha256"]


async def test_grants_are_audited(
    stack: dict[str, Any], gateway: httpx.AsyncClient, catalog: Catalog
) -> None:
    path = f"/api/downloads/releases/{catalog.old_release}/artifacts/{catalog.product.lower()}-1.0.0.zip"
    # The suite's gateway client stands in for the ingress, which names the customer's address.
    headers = {**catalog.alice.headers, "Prefer": "no-redirect", "X-Forwarded-For": "203.0.113.9"}
    response = await gateway.get(path, headers=headers)
    assert response.status_code == 200, response.text
    connection = await asyncpg.connect(database_url(stack, "downloads"))
    try:
        rows = await connection.fetch(
            "SELECT filename, client_address FROM download_audit WHERE account_id = $1 AND release_id = $2",
            catalog.alice.user_id,
            catalog.old_release,
        )
    finally:
        await connection.close()
    assert [r["filename"] for r in rows] == [f"{catalog.product.lower()}-1.0.0.zip"]
    assert rows[0]["client_address"] == "203.0.113.9"


async def test_release_of_unheld_product_answers_like_a_missing_one(
    gateway: httpx.AsyncClient, catalog: Catalog
) -> None:
    """Release ids are predictable (uuid5 of product:version:kind): a caller who does not hold
    the product must not learn that a release exists, nor which files it has."""
    real = f"/api/downloads/releases/{catalog.old_release}/artifacts/{catalog.product.lower()}-1.0.0.zip"
    guessed_file = f"/api/downloads/releases/{catalog.old_release}/artifacts/no-such-file.zip"
    random_id = f"/api/downloads/releases/{uuid.uuid4()}/artifacts/{catalog.product.lower()}-1.0.0.zip"
    answers = [
        await gateway.get(path, headers=catalog.bob.headers) for path in (real, guessed_file, random_id)
    ]
    for response in answers:
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "Location" not in response.headers
    bodies = [{k: v for k, v in r.json().items() if k not in ("instance", "request_id")} for r in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["type"] == "/problems/release-not-found"
    # Releases of products one does not hold are not listed, and look missing one by one.
    assert await _releases(gateway, catalog.bob, product=catalog.product) == []
    single = await gateway.get(f"/api/downloads/releases/{catalog.old_release}", headers=catalog.bob.headers)
    assert single.status_code == 404


async def test_lapsed_user_keeps_older_releases_only(gateway: httpx.AsyncClient, catalog: Catalog) -> None:
    listed = {r["version"]: r for r in await _releases(gateway, catalog.carol, product=catalog.product)}
    assert listed["1.0.0"]["entitled"] is True
    assert listed["2.0.0"]["entitled"] is False
    assert LAPSED_ON.isoformat() in listed["2.0.0"]["reason"] and "renew" in listed["2.0.0"]["reason"]

    new_path = f"/api/downloads/releases/{catalog.new_release}/artifacts/{catalog.new_file.name}"
    refused = await gateway.get(new_path, headers=catalog.carol.headers)
    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/not-entitled"
    assert LAPSED_ON.isoformat() in refused.json()["detail"]
    assert refused.json()["detail_id"] == "downloads.released-after-coverage"

    localized = await gateway.get(new_path, headers={**catalog.carol.headers, "Accept-Language": "zh-TW"})
    assert localized.json()["title"] == "您沒有下載此檔案的權限"
    assert "維護合約" in localized.json()["detail"]

    old_path = f"/api/downloads/releases/{catalog.old_release}/artifacts/{catalog.product.lower()}-1.0.0.zip"
    allowed = await gateway.get(old_path, headers=catalog.carol.headers)
    assert allowed.status_code == 307


async def test_contract_extends_and_stale_event_does_not_shrink_coverage(
    stack: dict[str, Any], gateway: httpx.AsyncClient, events: EventPublisher, catalog: Catalog
) -> None:
    """A renewal (back-paid from the lapse) unlocks the new release; a late, older LicenseBound
    for the same license, applied after it, must not take that away."""
    renewal_end = date(2027, 12, 31)
    await events.bind_contract(
        catalog.carol_license,
        catalog.carol.user_id,
        catalog.product,
        date(2023, 1, 1),
        LAPSED_ON + timedelta(days=1),
        renewal_end,
    )
    path = f"/api/downloads/releases/{catalog.new_release}"

    async def entitled() -> bool:
        response = await gateway.get(path, headers=catalog.carol.headers)
        return response.status_code == 200 and response.json()["entitled"]

    await eventually(entitled, what="the renewal to unlock the new release")

    stale = await events.bind_license(
        catalog.carol.user_id,
        catalog.product,
        date(2023, 1, 1),
        LAPSED_ON,
        license_id=catalog.carol_license,
        time=long_ago(),
    )
    connection = await asyncpg.connect(database_url(stack, "downloads"))
    try:

        async def consumed() -> bool:
            return bool(await connection.fetchval("SELECT 1 FROM inbox WHERE event_id = $1", stale.id))

        await eventually(consumed, what="the stale event to be consumed")
        coverage_end = await connection.fetchval(
            "SELECT coverage_end FROM holdings WHERE license_id = $1", catalog.carol_license
        )
    finally:
        await connection.close()
    assert coverage_end == renewal_end
    response = await gateway.get(path, headers=catalog.carol.headers)
    assert response.json()["entitled"] is True


async def test_voided_license_loses_downloads(
    gateway: httpx.AsyncClient, accounts: Accounts, events: EventPublisher, catalog: Catalog
) -> None:
    dave = await accounts.user()
    bound = await events.bind_license(dave.user_id, catalog.product, date(2025, 1, 1), date(2030, 12, 31))
    license_id = uuid.UUID(bound.subject)
    await eventually(
        lambda: _releases(gateway, dave, product=catalog.product), what="dave's license projected"
    )
    await events.void_license(license_id, dave.user_id, catalog.product)

    async def gone() -> bool:
        return await _releases(gateway, dave, product=catalog.product) == []

    await eventually(gone, what="the void to remove the holding")
    path = f"/api/downloads/releases/{catalog.old_release}/artifacts/{catalog.product.lower()}-1.0.0.zip"
    assert (await gateway.get(path, headers=dave.headers)).status_code == 404


async def test_republishing_is_idempotent(
    stack: dict[str, Any], gateway: httpx.AsyncClient, release_tool: ReleaseTool, catalog: Catalog
) -> None:
    output = release_tool.publish(*catalog.publish_args)
    assert "already stored" in output and "uploaded" not in output
    assert "nothing new announced" in output
    assert str(catalog.new_release) in output

    connection = await asyncpg.connect(database_url(stack, "downloads"))
    try:

        async def counts() -> tuple[int, int] | None:
            releases = await connection.fetchval(
                "SELECT count(*) FROM releases WHERE product = $1 AND version = '2.0.0'", catalog.product
            )
            artifacts = await connection.fetchval(
                "SELECT count(*) FROM artifacts WHERE release_id = $1", catalog.new_release
            )
            return (releases, artifacts)

        assert await counts() == (1, 1)
    finally:
        await connection.close()
    listed = await _releases(gateway, catalog.alice, product=catalog.product)
    assert [r["version"] for r in listed] == ["2.0.0", "1.0.0"]


async def test_unknown_or_foreign_paths_are_not_found(gateway: httpx.AsyncClient, catalog: Catalog) -> None:
    alice = catalog.alice.headers
    missing_release = await gateway.get(
        f"/api/downloads/releases/{uuid.uuid4()}/artifacts/x.zip", headers=alice
    )
    assert missing_release.status_code == 404
    assert missing_release.json()["type"] == "/problems/release-not-found"
    missing_file = await gateway.get(
        f"/api/downloads/releases/{catalog.new_release}/artifacts/other.zip", headers=alice
    )
    assert missing_file.status_code == 404
    assert missing_file.json()["type"] == "/problems/artifact-not-found"
    traversal = await gateway.get(
        f"/api/downloads/releases/{catalog.new_release}/artifacts/..%2F1.0.0%2Fx.zip", headers=alice
    )
    assert traversal.status_code == 404
    not_a_uuid = await gateway.get("/api/downloads/releases/not-a-uuid", headers=alice)
    assert not_a_uuid.status_code == 422
    assert not_a_uuid.headers["content-type"].startswith("application/problem+json")
    bad_kind = await gateway.get("/api/downloads/releases", params={"kind": "firmware"}, headers=alice)
    assert bad_kind.status_code == 422
    anonymous = await gateway.get(f"/api/downloads/releases/{catalog.new_release}")
    assert anonymous.status_code == 401


async def test_corrected_release_replaces_its_files(
    tmp_path: Path,
    gateway: httpx.AsyncClient,
    release_tool: ReleaseTool,
    accounts: Accounts,
    events: EventPublisher,
) -> None:
    """Publishing the same product/version/kind again with other bytes updates that release."""
    product = f"DLT{uuid.uuid4().hex[:6].upper()}"
    first, extra = tmp_path / "setup.exe", tmp_path / "readme.txt"
    first.write_bytes(b"first build")
    extra.write_text("read me", encoding="utf-8")
    args = ("--product", product, "--version", "1.0", "--kind", "product", "--title", "v1")
    release_tool.publish(*args, first, extra)
    user = await accounts.user()
    await events.bind_license(user.user_id, product, date(2025, 1, 1), date(2030, 12, 31))

    async def files() -> dict[str, str] | None:
        listed = await _releases(gateway, user, product=product)
        return {a["filename"]: a["sha256"] for a in listed[0]["artifacts"]} if listed else None

    assert set(await eventually(files, what="first publish")) == {"setup.exe", "readme.txt"}

    first.write_bytes(b"second build, fixed")
    output = release_tool.publish(*args, first)
    assert "uploaded and verified: setup.exe" in output and "removed: readme.txt" in output

    async def corrected() -> bool:
        return await files() == {"setup.exe": _sha256(first)}

    await eventually(corrected, what="the corrected release to replace the files")
    [release] = await _releases(gateway, user, product=product)
    grant = await gateway.get(
        f"/api/downloads/releases/{release['release_id']}/artifacts/setup.exe",
        headers={**user.headers, "Prefer": "no-redirect"},
    )
    async with httpx.AsyncClient(timeout=60) as outside:
        assert (await outside.get(grant.json()["url"])).content == b"second build, fixed"
