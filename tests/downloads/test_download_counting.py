"""Download analytics on the real stack: MinIO's own GET notifications through Kafka.

Every download is a real GET of a presigned URL on the real MinIO, whose notification travels
through the real Kafka to the downloads service; nothing is fed by hand.
"""

import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from services.downloads.config import ACCESS_TOPIC
from tests.accounts import Accounts, PortalUser
from tests.conftest import database_url
from tests.downloads.conftest import ReleaseTool
from tests.events import EventPublisher
from tests.kit import eventually

ANALYTICS = "/api/downloads/admin/downloads"


@dataclass
class Product:
    name: str
    releases: dict[str, uuid.UUID]  # version -> release id
    files: dict[str, str]  # version -> file name
    alice: PortalUser
    bob: PortalUser
    carol: PortalUser
    dave: PortalUser
    licenses: dict[str, uuid.UUID]  # user's name -> license id


async def _publish(release_tool: ReleaseTool, folder: Path, product: str, version: str, day: date) -> str:
    artifact = folder / f"{product.lower()}-{version}.zip"
    artifact.write_bytes(os.urandom(256 * 1024 + 3))
    release_tool.publish(
        *("--product", product, "--version", version, "--kind", "update", "--title", f"{product} {version}"),
        *("--published-on", day.isoformat(), artifact),
    )
    return artifact.name


@pytest.fixture(scope="module")
async def product(
    tmp_path_factory: pytest.TempPathFactory,
    release_tool: ReleaseTool,
    accounts: Accounts,
    events: EventPublisher,
    gateway: httpx.AsyncClient,
) -> Product:
    name = f"DLC{uuid.uuid4().hex[:6].upper()}"
    folder = tmp_path_factory.mktemp("counted")
    files = {
        "1.0.0": await _publish(release_tool, folder, name, "1.0.0", date(2026, 1, 10)),
        "2.0.0": await _publish(release_tool, folder, name, "2.0.0", date(2026, 6, 1)),
    }
    users = {key: await accounts.user() for key in ("alice", "bob", "carol", "dave")}
    licenses = {}
    for key, user in users.items():
        bound = await events.bind_license(user.user_id, name, date(2025, 1, 1), date(2030, 12, 31))
        licenses[key] = uuid.UUID(bound.subject)

    async def listed() -> dict[str, uuid.UUID] | None:
        found = {}
        for user in users.values():
            response = await gateway.get(
                "/api/downloads/releases", params={"product": name}, headers=user.headers
            )
            found = {r["version"]: uuid.UUID(r["release_id"]) for r in response.json()}
            if len(found) != 2:
                return None
        return found

    releases = await eventually(listed, what="releases and holdings projected")
    return Product(name, releases, files, **users, licenses=licenses)


async def _grant(gateway: httpx.AsyncClient, product: Product, user: PortalUser, version: str) -> str:
    path = f"/api/downloads/releases/{product.releases[version]}/artifacts/{product.files[version]}"
    response = await gateway.get(path, headers={**user.headers, "Prefer": "no-redirect"})
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    return url


async def _download(url: str, **headers: str) -> int:
    async with httpx.AsyncClient(timeout=60) as outside:  # straight to MinIO, as a browser does
        response = await outside.get(url, headers=headers)
    assert response.status_code in (200, 206), response.text
    return len(response.content)


async def _daily(gateway: httpx.AsyncClient, team: Any, product: Product) -> dict[str, dict[str, Any]]:
    response = await gateway.get(f"{ANALYTICS}/daily", params={"product": product.name}, headers=team.headers)
    assert response.status_code == 200, response.text
    return {row["version"]: row for row in response.json()}


async def _counted(
    gateway: httpx.AsyncClient, team: Any, product: Product, version: str, expected: int
) -> None:
    async def reached() -> bool:
        row = (await _daily(gateway, team, product)).get(version)
        return row is not None and row["downloads"] >= expected

    await eventually(reached, timeout=90, interval=0.5, what=f"{expected} downloads of {version} counted")


async def test_n_downloads_are_n_counted_and_unused_grants_show(
    stack: dict[str, Any], gateway: httpx.AsyncClient, team: Any, product: Product
) -> None:
    n = 4
    urls = [await _grant(gateway, product, product.alice, "1.0.0") for _ in range(n)]
    await _grant(gateway, product, product.bob, "1.0.0")  # handed out, never used
    for url in urls:
        assert await _download(url) == 256 * 1024 + 3
    await _download(urls[0], Range="bytes=0-99")  # part of a file is no download

    await _counted(gateway, team, product, "1.0.0", n)
    # Every notification is in (the ranged GET was the last one sent): nothing more arrives.
    connection = await asyncpg.connect(database_url(stack, "downloads"))
    try:

        async def all_in() -> bool:
            seen = await connection.fetchval(
                "SELECT count(*) FROM artifact_accesses a JOIN download_audit g ON g.id = a.grant_id"
                " WHERE g.release_id = $1",
                product.releases["1.0.0"],
            )
            return bool(seen == n + 1)

        await eventually(all_in, timeout=60, interval=0.5, what="the ranged GET recorded too")
    finally:
        await connection.close()
    row = (await _daily(gateway, team, product))["1.0.0"]
    assert (row["downloads"], row["grants"], row["unused_grants"]) == (n, n + 1, 1)


async def test_counting_survives_a_kafka_outage(
    gateway: httpx.AsyncClient, team: Any, product: Product, stack_control: Any
) -> None:
    before = (await _daily(gateway, team, product)).get("2.0.0", {}).get("downloads", 0)
    m = 3
    urls = [await _grant(gateway, product, product.alice, "2.0.0") for _ in range(m)]
    stack_control.stop("kafka")
    try:
        for url in urls:  # MinIO keeps their notifications in its queue directory meanwhile
            await _download(url)
    finally:
        stack_control.start("kafka")
    await _counted(gateway, team, product, "2.0.0", before + m)
    assert (await _daily(gateway, team, product))["2.0.0"]["downloads"] == before + m


async def _notifications_of(kafka_bootstrap: str, message_key: bytes) -> list[tuple[bytes, bytes]]:
    """MinIO's messages about one object (MinIO keys them `bucket/object`), oldest first."""
    reader = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        # Without a group nothing asks for the topic's metadata (aiokafka has no public call).
        cluster = await reader._client.fetch_all_metadata()
        partitions = [
            TopicPartition(ACCESS_TOPIC, p) for p in cluster.partitions_for_topic(ACCESS_TOPIC) or ()
        ]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        found = []

        async def behind() -> bool:
            return any([await reader.position(tp) < ends[tp] for tp in partitions])

        while await behind():
            for batch in (await reader.getmany(timeout_ms=1000)).values():
                found += [(m.key, m.value) for m in batch if m.key == message_key and m.value]
        return found
    finally:
        await reader.stop()


async def test_a_redelivered_notification_counts_once(
    kafka_bootstrap: str, gateway: httpx.AsyncClient, team: Any, product: Product
) -> None:
    before = (await _daily(gateway, team, product)).get("2.0.0", {}).get("downloads", 0)
    url = await _grant(gateway, product, product.bob, "2.0.0")
    await _download(url)
    await _counted(gateway, team, product, "2.0.0", before + 1)
    # MinIO's own message, read off the topic, sent again (as an at-least-once producer may),
    # then one more real download behind it on the same partition (same key).
    object_path = unquote(urlsplit(url).path.lstrip("/")).encode()
    notifications = await _notifications_of(kafka_bootstrap, object_path)
    assert notifications, f"MinIO's notification of {object_path!r} is on {ACCESS_TOPIC}"
    key, value = notifications[-1]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(ACCESS_TOPIC, value, key=key)
    finally:
        await producer.stop()
    await _download(await _grant(gateway, product, product.bob, "2.0.0"))
    await _counted(gateway, team, product, "2.0.0", before + 2)
    assert (await _daily(gateway, team, product))["2.0.0"]["downloads"] == before + 2


async def test_licenses_still_on_an_older_version(
    gateway: httpx.AsyncClient, team: Any, product: Product
) -> None:
    await _download(await _grant(gateway, product, product.carol, "1.0.0"))
    await _download(await _grant(gateway, product, product.dave, "1.0.0"))
    await _download(await _grant(gateway, product, product.dave, "2.0.0"))

    async def versions() -> dict[uuid.UUID, dict[str, Any]] | None:
        response = await gateway.get(
            f"{ANALYTICS}/licenses", params={"product": product.name}, headers=team.headers
        )
        assert response.status_code == 200, response.text
        rows = {uuid.UUID(r["license_id"]): r for r in response.json()}
        mine = {product.licenses["carol"], product.licenses["dave"]}
        if not mine <= rows.keys() or rows[product.licenses["dave"]]["last_version"] != "2.0.0":
            return None
        return rows

    rows = await eventually(versions, timeout=90, interval=0.5, what="last versions per license")
    carol, dave = rows[product.licenses["carol"]], rows[product.licenses["dave"]]
    assert (carol["last_version"], carol["latest_version"], carol["outdated"]) == ("1.0.0", "2.0.0", True)
    assert (dave["last_version"], dave["outdated"]) == ("2.0.0", False)
    outdated = await gateway.get(
        f"{ANALYTICS}/licenses",
        params={"product": product.name, "outdated_only": "true"},
        headers=team.headers,
    )
    assert product.licenses["dave"] not in {uuid.UUID(r["license_id"]) for r in outdated.json()}
    assert product.licenses["carol"] in {uuid.UUID(r["license_id"]) for r in outdated.json()}


async def test_csv_export_and_refusals(gateway: httpx.AsyncClient, team: Any, product: Product) -> None:
    csv = await gateway.get(f"{ANALYTICS}/daily.csv", params={"product": product.name}, headers=team.headers)
    assert csv.status_code == 200, csv.text
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "day,product,version,release_id,downloads,grants,unused_grants"
    assert all(line.split(",")[1] == product.name for line in lines[1:]) and len(lines) > 1

    customer = await gateway.get(f"{ANALYTICS}/daily", headers=product.alice.headers)
    assert customer.status_code == 403
    backwards = await gateway.get(
        f"{ANALYTICS}/daily", params={"since": "2026-05-02", "until": "2026-05-01"}, headers=team.headers
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail_id"] == "downloads.period-too-long"
