"""`python -m deploy.local backup|restore`: every service database and the artifact bucket.

**A consistent cut.** Each service's data, outbox and inbox change in one transaction, so each
database is consistent on its own; what could fall between two dumps is an event in flight (sent
to Kafka, not yet applied by its consumer). The backup therefore first closes the gateway (no new
requests) and the support mailbox (no new mail), waits until every outbox is empty and every
consumer group has applied everything published, then dumps. Kafka itself is not backed up: at that point it holds nothing the
databases do not already reflect.

**Restore** goes into a fresh stack (a new state dir, so a new, empty Kafka): databases from the
dumps, objects back into the bucket, then the services start. Nothing is replayed: the outboxes
were empty at the cut, and a consumer that met an old event again would find it in its inbox.
Secrets: the local stack uses the development secret for every service; in production keep the
services' SECRET_KEY with the backup (it seals the signing keys and keys the registration-number
hashes), see deploy/k8s/README.md.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from . import gateway, mailbox, postgres, procs
from .context import Ctx
from .paths import SERVICES
from .ports import HOST
from .report import StackError

if TYPE_CHECKING:
    from minio import Minio

NAME = "backup"
SETTLE_SECONDS = 120


def _pg(ctx: Ctx, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [
        str(postgres.bin_dir() / tool),
        "-h",
        HOST,
        "-p",
        str(ctx.ports["postgres"]),
        "-U",
        "postgres",
        *args,
    ]
    env = {"PGPASSWORD": ctx.secrets["postgres_password"], "PATH": "/usr/bin:/bin"}
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise StackError(NAME, f"{tool} {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def _minio(ctx: Ctx) -> tuple[Minio, str]:
    from minio import Minio

    from .minio import BUCKET, endpoint

    client = Minio(
        endpoint(ctx),
        access_key=ctx.secrets["minio_access_key"],
        secret_key=ctx.secrets["minio_secret_key"],
        secure=False,
    )
    return client, BUCKET


def _outbox_rows(ctx: Ctx) -> dict[str, int]:
    return {
        db: int(_pg(ctx, "psql", "-d", db, "-Atqc", "SELECT count(*) FROM outbox").stdout) for db in SERVICES
    }


async def _consumer_lag(bootstrap: str) -> dict[str, int]:
    from aiokafka import AIOKafkaConsumer
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await admin.start()
    await consumer.start()
    try:
        lag: dict[str, int] = {}
        for group, _ in await admin.list_consumer_groups():
            committed = await admin.list_consumer_group_offsets(group)
            ends = await consumer.end_offsets(list(committed))
            lag[group] = sum(
                max(0, ends[tp] - meta.offset) for tp, meta in committed.items() if meta.offset >= 0
            )
        return lag
    finally:
        await consumer.stop()
        await admin.close()


def _settle(ctx: Ctx) -> None:
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        pending = {f"outbox {db}": n for db, n in _outbox_rows(ctx).items() if n}
        if not pending:
            bootstrap = f"{HOST}:{ctx.ports['kafka']}"
            # Its own thread and loop: the stack tool is synchronous and may be called from async code.
            with ThreadPoolExecutor(max_workers=1) as pool:
                lag = pool.submit(asyncio.run, _consumer_lag(bootstrap)).result()
            pending = {f"consumer {group}": n for group, n in lag.items() if n}
        if not pending:
            return
        if time.monotonic() > deadline:
            raise StackError(NAME, f"the stack did not settle within {SETTLE_SECONDS}s: {pending}")
        time.sleep(0.5)


def backup(ctx: Ctx, target: Path) -> dict[str, object]:
    """Dump a running stack into `target` (created; must not exist yet)."""
    target.mkdir(parents=True)
    target.chmod(0o700)
    gateway_was_running = procs.running(ctx.state_dir, gateway.NAME) is not None
    if gateway_was_running:
        gateway.stop(ctx)
    # The support mailbox is the other way in: closed too (an MTA queues mail and retries). Mail
    # it already stored but not yet applied is in the dump and is applied after a restore.
    mailbox_was_running = procs.running(ctx.state_dir, mailbox.NAME) is not None
    if mailbox_was_running:
        mailbox.stop(ctx)
    try:
        with ctx.reporter.step(NAME, "waiting until every outbox is empty and every consumer has caught up"):
            _settle(ctx)
        (target / "db").mkdir()
        for db in SERVICES:
            with ctx.reporter.step(NAME, f"dumping database {db}"):
                _pg(ctx, "pg_dump", "-Fc", "-f", str(target / "db" / f"{db}.dump"), db)
        client, bucket = _minio(ctx)
        objects = 0
        with ctx.reporter.step(NAME, f"copying bucket {bucket}"):
            for item in client.list_objects(bucket, recursive=True):
                assert item.object_name is not None
                client.fget_object(bucket, item.object_name, str(target / "objects" / item.object_name))
                objects += 1
    finally:
        if mailbox_was_running:
            mailbox.start(ctx)
        if gateway_was_running:
            gateway.start(ctx)
    manifest: dict[str, object] = {
        "databases": list(SERVICES),
        "bucket": bucket,
        "objects": objects,
        "format": 1,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def restore(ctx: Ctx, source: Path) -> dict[str, object]:
    """Load a backup into this stack's PostgreSQL and MinIO (running; services stopped)."""
    manifest = json.loads((source / "manifest.json").read_text())
    running = [name for name in SERVICES if procs.running(ctx.state_dir, name) is not None]
    if running:
        raise StackError(
            NAME, f"stop the services first ({', '.join(running)}): restore replaces their databases"
        )
    for db in manifest["databases"]:
        with ctx.reporter.step(NAME, f"restoring database {db}"):
            _pg(
                ctx,
                "psql",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)',
            )
            _pg(ctx, "psql", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", f'CREATE DATABASE "{db}"')
            _pg(ctx, "pg_restore", "--no-owner", "-d", db, str(source / "db" / f"{db}.dump"))
    client, bucket = _minio(ctx)
    with ctx.reporter.step(NAME, f"restoring {manifest['objects']} objects into bucket {bucket}"):
        root = source / "objects"
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            client.fput_object(bucket, path.relative_to(root).as_posix(), str(path))
    return manifest
