"""The release role's API on the real stack: a draft, files in real MinIO multipart parts sent
to presigned URLs (resumed after a gap, checked by SHA-256), publish once, a corrected version,
withdrawal — and what customers see of each step."""

import hashlib
import os
import uuid
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from minio import Minio
from minio.error import S3Error

from shared.events import ReleasePublished, ReleaseWithdrawn
from shared.events.downloads import TOPIC
from tests.accounts import Accounts, PortalUser
from tests.conftest import database_url
from tests.downloads.release_team import API, Team, draft
from tests.kit import eventually
from tests.licensing.helpers import events_about
from tests.licensing_events import EventPublisher

MiB = 1024 * 1024


async def _catalog(gateway: httpx.AsyncClient, user: PortalUser, product: str) -> list[dict[str, Any]]:
    response = await gateway.get("/api/downloads/releases", params={"product": product}, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _release_events(bootstrap: str, release_id: str) -> list[dict[str, Any]]:
    """Publish and withdraw events about a release, in order (grants share the topic)."""
    wanted = {ReleasePublished.type, ReleaseWithdrawn.type}
    found = await events_about(bootstrap, TOPIC, release_id, want=wanted)
    return [event for event in found if event["type"] in wanted]


async def test_multipart_upload_resumes_and_is_checked(
    team: Team, gateway: httpx.AsyncClient, stack: dict[str, Any]
) -> None:
    product = f"RA{uuid.uuid4().hex[:6].upper()}"
    release = await team.call("POST", "", 201, json=draft(product, "1.0"))
    release_id = release["release_id"]
    again = await team.call("POST", "", 200, json=draft(product, "1.0", title="other"))
    assert again["release_id"] == release_id and again["state"] == "draft"

    data = os.urandom(17 * MiB + 5)
    sha256 = hashlib.sha256(data).hexdigest()
    upload = await team.call(
        "POST",
        f"/{release_id}/uploads",
        201,
        json={"filename": "setup.bin", "size": len(data), "sha256": sha256},
    )
    assert (upload["part_size"], upload["part_count"]) == (8 * MiB, 3)
    path = f"/{release_id}/uploads/{upload['upload_id']}"

    # A connection lost after parts 1 and 3: MinIO keeps them, the upload says so, 2 is missing.
    await team.put_parts(release_id, upload, data, [1, 3])
    resumed = await team.call("GET", path, 200)
    assert resumed["uploaded_parts"] == [1, 3] and resumed["state"] == "uploading"
    early = await team.call("POST", f"{path}/complete", 409)
    assert early["detail_id"] == "downloads.parts-missing" and "2" in early["detail"]
    await team.put_parts(release_id, upload, data, [2])
    done = await team.call("POST", f"{path}/complete", 200)
    assert done["state"] == "verified"
    assert (await team.call("POST", f"{path}/complete", 200))["state"] == "verified"  # a retried answer

    [artifact] = (await team.call("GET", f"/{release_id}", 200))["artifacts"]
    assert (artifact["filename"], artifact["size"], artifact["sha256"]) == ("setup.bin", len(data), sha256)

    # Declared bytes that are not what arrives: rejected, and the stored object discarded.
    lie = await team.call(
        "POST", f"/{release_id}/uploads", 201, json={"filename": "notes.txt", "size": 5, "sha256": "0" * 64}
    )
    await team.put_parts(release_id, lie, b"hello", [1])
    refused = await team.call("POST", f"/{release_id}/uploads/{lie['upload_id']}/complete", 422)
    assert refused["type"] == "/problems/upload-rejected"
    assert refused["detail_id"] == "downloads.checksum-mismatch"
    assert hashlib.sha256(b"hello").hexdigest() in refused["detail"]
    assert (await team.call("GET", f"/{release_id}/uploads/{lie['upload_id']}", 200))["state"] == "rejected"
    minio = stack["minio"]
    client = Minio(minio["endpoint"], minio["access_key"], minio["secret_key"], secure=False)
    key = f"releases/{product}/1.0/{lie['upload_id']}/notes.txt"
    with pytest.raises(S3Error):
        client.stat_object(minio["bucket"], key)
    names = [a["filename"] for a in (await team.call("GET", f"/{release_id}", 200))["artifacts"]]
    assert names == ["setup.bin"]


async def test_bad_requests_are_clear_problems(
    team: Team, accounts: Accounts, gateway: httpx.AsyncClient
) -> None:
    product = f"RB{uuid.uuid4().hex[:6].upper()}"
    release_id = (await team.call("POST", "", 201, json=draft(product, "1.0")))["release_id"]
    empty = await team.call("POST", f"/{release_id}/publish", 409, json={})
    assert empty["detail_id"] == "downloads.add-a-file-first"
    for bad in (
        {"filename": "../x.zip", "size": 1, "sha256": "0" * 64},
        {"filename": "x.zip", "size": 0, "sha256": "0" * 64},
        {"filename": "x.zip", "size": 1, "sha256": "XYZ"},
    ):
        problem = await team.call("POST", f"/{release_id}/uploads", 422, json=bad)
        assert problem["type"] == "/problems/validation"
    assert (await team.call("POST", "", 422, json=draft("../etc", "1.0")))["type"] == "/problems/validation"
    upload = await team.call(
        "POST", f"/{release_id}/uploads", 201, json={"filename": "x.zip", "size": 1, "sha256": "0" * 64}
    )
    beyond = await team.call(
        "POST", f"/{release_id}/uploads/{upload['upload_id']}/part-urls", 422, json={"parts": [2]}
    )
    assert beyond["detail_id"] == "downloads.part-numbers"
    other = (await team.call("POST", "", 201, json=draft(product, "2.0")))["release_id"]
    foreign = await team.call("GET", f"/{other}/uploads/{upload['upload_id']}", 404)
    assert foreign["type"] == "/problems/upload-not-found"

    customer = await accounts.user("customer")
    for method, path in (("GET", ""), ("POST", ""), ("POST", f"/{release_id}/publish")):
        response = await gateway.request(
            method, f"{API}{path}", headers=customer.headers, json=draft(product, "3.0")
        )
        assert response.status_code == 403, response.text


async def test_publish_once_correct_then_withdraw(
    team: Team,
    accounts: Accounts,
    events: EventPublisher,
    gateway: httpx.AsyncClient,
    kafka_bootstrap: str,
    stack: dict[str, Any],
) -> None:
    product = f"RC{uuid.uuid4().hex[:6].upper()}"
    holder = await accounts.user("customer")
    await events.bind_license(holder.user_id, product, date(2025, 1, 1), date(2030, 12, 31))
    first = (await team.call("POST", "", 201, json=draft(product, "1.0", notes="first")))["release_id"]
    await team.upload(first, "setup.zip", b"first build")

    async def holder_sees_product() -> bool:
        listed = await _catalog(gateway, holder, product)
        return listed == []  # the holding is projected; a draft is not in the catalog

    await eventually(holder_sees_product, what="the holding, with the draft hidden")
    grant_path = f"/api/downloads/releases/{first}/artifacts/setup.zip"
    assert (await gateway.get(grant_path, headers=holder.headers)).status_code == 404

    published = await team.call("POST", f"/{first}/publish", 200, json={"published_on": "2026-03-01"})
    assert published["announced"] is True and published["release"]["state"] == "published"
    repeat = await team.call("POST", f"/{first}/publish", 200, json={})
    assert repeat["announced"] is False and repeat["release"]["published_on"] == "2026-03-01"
    [listed] = await _catalog(gateway, holder, product)
    assert listed["release_id"] == first and listed["entitled"] is True
    grant = await gateway.get(grant_path, headers={**holder.headers, "Prefer": "no-redirect"})
    assert grant.status_code == 200 and grant.json()["sha256"] == hashlib.sha256(b"first build").hexdigest()

    # A corrected version replaces it: publishing 1.0.1 withdraws 1.0.
    fixed = (await team.call("POST", "", 201, json=draft(product, "1.0.1", corrects=first)))["release_id"]
    await team.upload(fixed, "setup.zip", b"fixed build")
    await team.call("POST", f"/{fixed}/publish", 200, json={})
    assert (await team.call("GET", f"/{first}", 200))["state"] == "withdrawn"
    assert [r["version"] for r in await _catalog(gateway, holder, product)] == ["1.0.1"]
    assert (await gateway.get(grant_path, headers=holder.headers)).status_code == 404

    # A withdrawn release is final: no edit, no publish, no new files.
    refused = await team.call("POST", f"/{first}/publish", 409, json={})
    assert (
        refused["type"] == "/problems/release-withdrawn"
        and refused["detail_id"] == "downloads.withdrawn-for-good"
    )
    await team.call("PATCH", f"/{first}", 409, json={"title": "again"})
    await team.call("POST", "", 409, json=draft(product, "1.0"))

    withdrawn = await team.call(
        "POST", f"/{fixed}/withdraw", 200, json={"reason": "installer crashes on start"}
    )
    assert withdrawn["state"] == "withdrawn" and withdrawn["withdrawn_reason"] == "installer crashes on start"
    await team.call("POST", f"/{fixed}/withdraw", 200, json={"reason": "twice"})
    assert await _catalog(gateway, holder, product) == []

    about_first = await _release_events(kafka_bootstrap, first)
    assert [e["type"] for e in about_first] == [ReleasePublished.type, ReleaseWithdrawn.type]
    assert about_first[1]["data"]["replaced_by"] == fixed
    connection = await asyncpg.connect(database_url(stack, "downloads"))
    try:
        trail = await connection.fetch(
            "SELECT action, actor_id, reason FROM audit WHERE target = $1 ORDER BY at", first
        )
    finally:
        await connection.close()
    assert [row["action"] for row in trail] == [
        "release.create",
        "release.add-file",
        "release.publish",
        "release.publish",
        "release.withdraw",
    ]
    assert trail[-1]["reason"] == "replaced by 1.0.1" and trail[-1]["actor_id"] == team.user.user_id

    about_fixed = await _release_events(kafka_bootstrap, fixed)
    assert [e["type"] for e in about_fixed] == [ReleasePublished.type, ReleaseWithdrawn.type]
    assert about_fixed[1]["data"]["reason"] == "installer crashes on start"
