"""Benchmark of the downloads path (not a test): grants through the gateway, bytes from MinIO.

    .venv/bin/python bench/downloads.py --state .run/bench [--requests 2000] [--concurrency 20] [--size-mb 100]

1. Grant throughput and latency: GET /api/downloads/releases/{id}/artifacts/{file} through
   nginx (auth, entitlement check, audit row, outbox row, signing), answered 307; beside it the
   floor: signing the same URL directly with the minio client, in-process. The downloads
   process's CPU time per grant (from /proc, its relay's publishing included) is the figure
   with a target (≤ 3 ms): it holds steady when the machine is shared.
2. Download throughput of a SIZE-MB artifact through the presigned URL vs a direct,
   authenticated MinIO GET of the same object: the URL should cost nothing extra.

It starts the infrastructure, the downloads service and the gateway in the given state dir
(deploy.local), publishes the artifact with the release tool and binds a license by event.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import urllib3
from minio import Minio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.process_cpu import CpuMeter, outbox_drained, service_pid  # noqa: E402
from bench.rows import Row, emit  # noqa: E402
from deploy.local import stack as local_stack  # noqa: E402
from deploy.portal_client import publish_release  # noqa: E402
from shared import clock  # noqa: E402
from tests.accounts import Accounts  # noqa: E402
from tests.conftest import database_url  # noqa: E402
from tests.events import EventPublisher  # noqa: E402

MIB = 1024 * 1024


def _publish_artifact(info: dict[str, Any], product: str, size_mb: int, folder: Path) -> Path:
    artifact = folder / f"{product.lower()}-bench.bin"
    with artifact.open("wb") as out:
        for _ in range(size_mb):
            out.write(os.urandom(MIB))
    publish_release(
        info,
        product=product,
        version="1.0.0",
        kind="product",
        title="bench",
        files=[artifact],
        published_on=clock.today().isoformat(),
    )
    return artifact


async def _object_key(info: dict[str, Any], release_id: str, filename: str) -> str:
    """Where the release API stored the file (each upload has a key of its own)."""
    connection = await asyncpg.connect(database_url(info, "downloads"))
    try:
        key: str = await connection.fetchval(
            "SELECT object_key FROM artifacts WHERE release_id = $1 AND filename = $2",
            uuid.UUID(release_id),
            filename,
        )
        return key
    finally:
        await connection.close()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _report(label: str, latencies: list[float], elapsed: float) -> float:
    rate = len(latencies) / elapsed
    print(
        f"  {label:<34} {rate:9.0f} req/s   p50 {1000 * statistics.median(latencies):7.2f} ms"
        f"   p99 {1000 * _percentile(latencies, 0.99):7.2f} ms"
    )
    return rate


CPU_TARGET_MS = 3.0


async def _grants(
    info: dict[str, Any], path: str, headers: dict[str, str], total: int, concurrency: int, pid: int
) -> tuple[float, float]:
    """(grants per second, the service's CPU seconds per grant)."""
    latencies: list[float] = []
    queue = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gateway = info["gateway"]["url"]
    async with httpx.AsyncClient(base_url=gateway, headers=headers, limits=limits, timeout=30) as client:
        for _ in range(min(50, total)):  # warm up connections and the JWKS cache
            assert (await client.get(path)).status_code == 307

        async def worker() -> None:
            for _ in queue:
                started = time.perf_counter()
                response = await client.get(path)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 307, response.text

        started = time.perf_counter()
        with CpuMeter(pid) as cpu:
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            # What the grants queued is published by the relay of the same process: count it too.
            await outbox_drained(info, "downloads")
        elapsed = time.perf_counter() - started
    rate = _report(f"gateway grant ({concurrency} concurrent)", latencies, elapsed)
    print(f"  downloads process CPU per grant    {1000 * cpu.per(total):9.2f} ms   (load {_load()})")
    return rate, cpu.per(total)


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def _direct_signing(client: Minio, bucket: str, key: str, total: int) -> float:
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(total):
        begin = time.perf_counter()
        client.presigned_get_object(bucket, key, expires=timedelta(minutes=5))
        latencies.append(time.perf_counter() - begin)
    return _report("minio presign, in-process (1 thread)", latencies, time.perf_counter() - started)


def _fetch_presigned(http: urllib3.PoolManager, url: str) -> int:
    """Same HTTP stack (urllib3) as the minio client, so only the URL differs."""
    size = 0
    response = http.request("GET", url, preload_content=False)
    try:
        assert response.status == 200, response.status
        for chunk in response.stream(MIB):
            size += len(chunk)
    finally:
        response.release_conn()
    return size


def _fetch_direct(client: Minio, bucket: str, key: str) -> int:
    size = 0
    response = client.get_object(bucket, key)
    try:
        for chunk in response.stream(MIB):
            size += len(chunk)
    finally:
        response.close()
        response.release_conn()
    return size


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--state", type=Path, default=ROOT / ".run" / "bench", help="deploy.local state dir")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="downloads of each kind (best is reported)")
    parser.add_argument("--grants-only", action="store_true", help="skip the signing and download parts")
    args = parser.parse_args()

    info = local_stack.up(args.state, services=False, quiet=True)
    local_stack.start("downloads", args.state)
    local_stack.start("gateway", args.state)
    gateway_url = info["gateway"]["url"]
    product = f"BENCH{uuid.uuid4().hex[:6].upper()}"

    with tempfile.TemporaryDirectory() as folder:
        artifact = _publish_artifact(info, product, args.size_mb, Path(folder))
        async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as gateway:
            accounts = Accounts(info, gateway)
            events = EventPublisher(info["kafka"]["bootstrap"])
            try:
                user = await accounts.user()
                await events.bind_license(user.user_id, product, date(2020, 1, 1), date(2099, 12, 31))
                listed: list[dict[str, Any]] = []
                deadline = time.monotonic() + 60
                while not listed and time.monotonic() < deadline:
                    response = await gateway.get("/api/downloads/releases", headers=user.headers)
                    listed = [r for r in response.json() if r["product"] == product]
                    await asyncio.sleep(0.2)
                assert listed, "release or license not projected within 60 s"
                path = f"/api/downloads/releases/{listed[0]['release_id']}/artifacts/{artifact.name}"

                print(f"Grants: {args.requests} requests")
                grant_rate, grant_cpu = await _grants(
                    info,
                    path,
                    user.headers,
                    args.requests,
                    args.concurrency,
                    service_pid(args.state, "downloads"),
                )
                emit(
                    Row(
                        benchmark=f"download grant through the gateway ({args.concurrency} concurrent)",
                        figure=f"{1000 * grant_cpu:.2f} ms CPU/grant ({grant_rate:.0f}/s, load {_load()})",
                        baseline="—",
                        ratio=None,
                        target=f"≤ {CPU_TARGET_MS:g} ms CPU",
                        met=1000 * grant_cpu <= CPU_TARGET_MS,
                    )
                )
                if args.grants_only:
                    return
                minio_info = info["minio"]
                key = await _object_key(info, listed[0]["release_id"], artifact.name)
                direct = Minio(
                    minio_info["endpoint"],
                    access_key=minio_info["access_key"],
                    secret_key=minio_info["secret_key"],
                    secure=False,
                    region="us-east-1",
                )
                sign_rate = _direct_signing(direct, minio_info["bucket"], key, args.requests)
                print(f"  ratio gateway/direct signing: {grant_rate / sign_rate:.3f}")

                print(f"Download of {args.size_mb} MiB (best of {args.rounds})")
                presigned_times, direct_times = [], []
                http = urllib3.PoolManager()
                for _ in range(args.rounds):
                    grant = await gateway.get(path, headers={**user.headers, "Prefer": "no-redirect"})
                    started = time.perf_counter()
                    assert _fetch_presigned(http, grant.json()["url"]) == args.size_mb * MIB
                    presigned_times.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    assert _fetch_direct(direct, minio_info["bucket"], key) == args.size_mb * MIB
                    direct_times.append(time.perf_counter() - started)
                presigned_speed = args.size_mb / min(presigned_times)
                direct_speed = args.size_mb / min(direct_times)
                print(f"  presigned URL (urllib3)          {presigned_speed:9.0f} MiB/s")
                print(f"  direct MinIO GET (minio client)  {direct_speed:9.0f} MiB/s")
                print(f"  ratio presigned/direct: {presigned_speed / direct_speed:.3f}")
                emit(
                    Row(
                        benchmark=f"download of {args.size_mb} MiB through the presigned URL (best of {args.rounds})",
                        figure=f"{presigned_speed:,.0f} MiB/s",
                        baseline=f"direct MinIO GET (minio client): {direct_speed:,.0f} MiB/s",
                        ratio=round(presigned_speed / direct_speed, 3),
                        target="≥ 0.8× direct MinIO GET (the bytes never pass a service)",
                        met=presigned_speed / direct_speed >= 0.8,
                    )
                )
            finally:
                await events.close()


if __name__ == "__main__":
    asyncio.run(main())
