"""Case attachment benchmark (prints numbers, asserts nothing).

A covered customer opens a case on their own license, then, N times, sends one SIZE-MB file the
way the portal does: request the presigned POST form through the gateway, POST the file straight
to MinIO, confirm completion (the cases service reads the object back for its SHA-256), then list
the case's attachments through the gateway and GET the presigned download URL. Beside each round,
the same bytes go to MinIO and back with the minio client (authenticated PUT/GET): the baseline.
The ratio says what the presigned path costs on top of MinIO itself.

    .venv/bin/python bench/attachments.py --state .run [--size-mb 100] [--rounds 3]

The stack must be running (identity, cases and the gateway at least). Attachments stay on the
benchmark's case (there is no delete); the baseline objects are removed.
"""

import argparse
import asyncio
import io
import json
import os
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import urllib3
from minio import Minio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rows import Row, emit  # noqa: E402 - the repository root must be importable first
from deploy.local.gateway import TRUSTED_PROXY  # noqa: E402
from tests.accounts import Accounts, PortalUser  # noqa: E402
from tests.conftest import database_url  # noqa: E402
from tests.events import EventPublisher  # noqa: E402
from tests.kit import client_ip  # noqa: E402

MIB = 1024 * 1024
CONTENT_TYPE = "application/octet-stream"


async def covered_case(stack: dict[str, Any], gateway: httpx.AsyncClient, user: PortalUser) -> str:
    """Bind a license by event, wait for the cases projection, open a case; return its id."""
    product = f"BENCH{uuid.uuid4().hex[:6].upper()}"
    events = EventPublisher(stack["kafka"]["bootstrap"])
    try:
        bound = await events.bind_license(user.user_id, product, date(2020, 1, 1), date(2099, 12, 31))
    finally:
        await events.close()
    license_id = uuid.UUID(bound.subject)
    connection = await asyncpg.connect(database_url(stack, "cases"))
    try:
        deadline = time.monotonic() + 60
        while not await connection.fetchval(
            "SELECT count(*) FROM holdings WHERE license_id = $1", license_id
        ):
            if time.monotonic() > deadline:
                raise SystemExit("the license was not projected into cases within 60 s")
            await asyncio.sleep(0.1)
    finally:
        await connection.close()
    opened = await gateway.post(
        "/api/cases/cases",
        json={
            "license_id": str(license_id),
            "category": "log_interpretation",
            "subject": "Attachment benchmark",
            "description": "Large log files for the attachment benchmark.",
        },
        headers=user.headers,
    )
    if opened.status_code != 201:
        raise SystemExit(f"opening the case failed: {opened.status_code} {opened.text}")
    return str(opened.json()["id"])


def post_to_storage(http: urllib3.PoolManager, form: dict[str, Any], content: bytes) -> None:
    """The browser's multipart POST of the signed form fields and the file."""
    fields: dict[str, Any] = {**form["fields"], "file": ("bench.bin", content, CONTENT_TYPE)}
    response = http.request("POST", form["url"], fields=fields)
    if response.status not in (200, 201, 204):
        raise SystemExit(f"POST to storage failed: {response.status} {response.data[:300]!r}")


def fetch(http: urllib3.PoolManager, url: str) -> int:
    size = 0
    response = http.request("GET", url, preload_content=False)
    try:
        if response.status != 200:
            raise SystemExit(f"GET failed: {response.status}")
        for chunk in response.stream(MIB):
            size += len(chunk)
    finally:
        response.release_conn()
    return size


async def presigned_round(
    gateway: httpx.AsyncClient, http: urllib3.PoolManager, user: PortalUser, case_id: str, content: bytes
) -> tuple[float, float, dict[str, float]]:
    """One upload and one download through the presigned path: (upload s, download s, parts)."""
    path = f"/api/cases/cases/{case_id}/attachments"
    started = time.perf_counter()
    begun = await gateway.post(
        path,
        json={"filename": "bench.bin", "size": len(content), "content_type": CONTENT_TYPE},
        headers=user.headers,
    )
    if begun.status_code != 201:
        raise SystemExit(f"starting the upload failed: {begun.status_code} {begun.text}")
    formed = time.perf_counter()
    post_to_storage(http, begun.json()["upload"], content)
    posted = time.perf_counter()
    attachment_id = begun.json()["attachment"]["id"]
    done = await gateway.post(f"{path}/{attachment_id}/complete", headers=user.headers, timeout=300)
    if done.status_code != 200:
        raise SystemExit(f"completing the upload failed: {done.status_code} {done.text}")
    uploaded = time.perf_counter()
    listed = await gateway.get(path, headers=user.headers)
    [item] = [a for a in listed.json() if a["id"] == attachment_id]
    linked = time.perf_counter()
    size = fetch(http, item["download_url"])
    downloaded = time.perf_counter()
    if size != len(content):
        raise SystemExit(f"downloaded {size} bytes, uploaded {len(content)}")
    parts = {
        "form": formed - started,
        "post": posted - formed,
        "complete": uploaded - posted,
        "link": linked - uploaded,
        "get": downloaded - linked,
    }
    return uploaded - started, downloaded - uploaded, parts


def direct_round(client: Minio, bucket: str, content: bytes) -> tuple[float, float]:
    """The same bytes through the minio client: (PUT s, GET s)."""
    key = f"bench/attachments-{uuid.uuid4().hex}"
    started = time.perf_counter()
    client.put_object(bucket, key, io.BytesIO(content), len(content), content_type=CONTENT_TYPE)
    put = time.perf_counter()
    size = 0
    response = client.get_object(bucket, key)
    try:
        for chunk in response.stream(MIB):
            size += len(chunk)
    finally:
        response.close()
        response.release_conn()
    got = time.perf_counter()
    client.remove_object(bucket, key)
    if size != len(content):
        raise SystemExit(f"direct GET returned {size} bytes, put {len(content)}")
    return put - started, got - put


def speed(size_mb: float, seconds: list[float]) -> str:
    rates = [size_mb / s for s in seconds]
    return f"best {max(rates):7.1f}  median {sorted(rates)[len(rates) // 2]:7.1f} MiB/s"


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default_state = Path(os.environ.get("SP_TEST_STATE", ROOT / ".run" / "test"))
    parser.add_argument("--state", type=Path, default=default_state, help="deploy.local state dir")
    parser.add_argument("--size-mb", type=int, default=100, help="file size (the service allows up to 100)")
    parser.add_argument("--rounds", type=int, default=3, help="uploads and downloads of each kind")
    args = parser.parse_args()
    stack = json.loads((args.state / "stack.json").read_text())
    content = os.urandom(args.size_mb * MIB)
    minio = stack["minio"]
    direct = Minio(
        minio["endpoint"],
        access_key=minio["access_key"],
        secret_key=minio["secret_key"],
        secure=False,
        region="us-east-1",
    )
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=10, read=300))

    # Like the ingress, name a client address of our own: the gateway limits per address.
    transport = httpx.AsyncHTTPTransport(local_address=TRUSTED_PROXY)
    async with httpx.AsyncClient(
        base_url=stack["gateway"]["url"],
        timeout=60,
        transport=transport,
        headers={"X-Forwarded-For": client_ip()},
    ) as gateway:
        accounts = Accounts(stack, gateway)
        user = await accounts.user()
        case_id = await covered_case(stack, gateway, user)
        print(f"{args.rounds} rounds of {args.size_mb} MiB, case {case_id}")
        uploads, downloads, puts, gets = [], [], [], []
        for number in range(1, args.rounds + 1):
            upload, download, parts = await presigned_round(gateway, http, user, case_id, content)
            put, get = direct_round(direct, minio["bucket"], content)
            uploads.append(upload)
            downloads.append(download)
            puts.append(put)
            gets.append(get)
            detail = "  ".join(f"{name} {1000 * s:.0f} ms" for name, s in parts.items())
            print(f"  round {number}: {detail}  | direct PUT {1000 * put:.0f} ms  GET {1000 * get:.0f} ms")
    size = float(args.size_mb)
    print(f"presigned upload (form + POST + complete)   {speed(size, uploads)}")
    print(f"direct MinIO PUT (minio client, baseline)   {speed(size, puts)}")
    print(f"presigned download (list + GET)             {speed(size, downloads)}")
    print(f"direct MinIO GET (minio client, baseline)   {speed(size, gets)}")
    print(f"ratio upload presigned/direct (best)        {min(puts) / min(uploads):.3f}")
    print(f"ratio download presigned/direct (best)      {min(gets) / min(downloads):.3f}")
    for what, ours, direct, baseline in (
        ("upload (form + POST + complete)", uploads, puts, "direct MinIO PUT"),
        ("download (list + GET)", downloads, gets, "direct MinIO GET"),
    ):
        ratio = min(direct) / min(ours)
        emit(
            Row(
                benchmark=f"case attachment {what}, {args.size_mb} MiB presigned (best of {args.rounds})",
                figure=f"{size / min(ours):,.1f} MiB/s",
                baseline=f"{baseline}: {size / min(direct):,.1f} MiB/s",
                ratio=round(ratio, 3),
                target=f"≥ 0.8× {baseline}",
                met=ratio >= 0.8,
            )
        )


if __name__ == "__main__":
    asyncio.run(main())
