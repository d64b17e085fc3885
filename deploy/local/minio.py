"""MinIO server built from source with `go install` (release RELEASE.2025-09-07T16-13-09Z)."""

from __future__ import annotations

import os
from pathlib import Path

from . import procs
from .context import Ctx
from .health import http_ok, wait_ready
from .install import cached_go_binary, go_install
from .ports import HOST
from .report import StackError

NAME = "minio"
MODULE = "github.com/minio/minio"
VERSION = "v0.0.0-20250907161309-07c3a429bfed"  # = RELEASE.2025-09-07T16-13-09Z
BUCKET = "artifacts"
# Every completed GET of an artifact is published to Kafka by MinIO itself (the downloads
# service counts downloads from them). Notifications wait in QUEUE_DIR while Kafka is away.
NOTIFY_TARGET = "PORTAL"  # env-var suffix; MinIO names the ARN after it as written
NOTIFY_ARN = f"arn:minio:sqs::{NOTIFY_TARGET}:kafka"
ACCESS_EVENTS = ["s3:ObjectAccessed:Get"]


def binary(ctx: Ctx) -> Path:
    return ctx.cache / "bin" / NAME


def ensure_installed(ctx: Ctx) -> None:
    bin_dir = ctx.cache / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    if cached_go_binary(bin_dir, NAME, VERSION) is None:
        go_install(ctx.reporter, NAME, MODULE, VERSION, bin_dir, ctx.log("install"))


def endpoint(ctx: Ctx) -> str:
    return f"{HOST}:{ctx.ports['minio']}"


def healthy(ctx: Ctx) -> bool:
    return http_ok(f"http://{endpoint(ctx)}/minio/health/ready")


def start(ctx: Ctx) -> None:
    if procs.running(ctx.state_dir, NAME) is not None and healthy(ctx):
        ctx.reporter.info(NAME, f"already running on {endpoint(ctx)} ✓")
        _ensure_bucket(ctx)
        return
    with ctx.reporter.step(NAME, f"starting on {endpoint(ctx)}"):
        data = ctx.state_dir / "minio"
        data.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "MINIO_ROOT_USER": ctx.secrets["minio_access_key"],
            "MINIO_ROOT_PASSWORD": ctx.secrets["minio_secret_key"],
            "MINIO_UPDATE": "off",
            "MINIO_BROWSER": "on",
            **_kafka_notify_env(ctx),
        }
        record = procs.spawn(
            ctx.state_dir,
            NAME,
            [
                str(binary(ctx)),
                "server",
                str(data),
                "--address",
                endpoint(ctx),
                "--console-address",
                f"{HOST}:{ctx.ports['minio_console']}",
            ],
            log=ctx.log(NAME),
            env=env,
        )
        wait_ready(NAME, lambda: healthy(ctx), deadline=60, record=record, log=ctx.log(NAME))
        _ensure_bucket(ctx)


def _kafka_notify_env(ctx: Ctx) -> dict[str, str]:
    """MinIO's native Kafka target (plain listener, like the services here)."""
    from services.downloads.config import ACCESS_TOPIC

    suffix = NOTIFY_TARGET
    queue = ctx.state_dir / "minio-events"
    queue.mkdir(parents=True, exist_ok=True)
    return {
        f"MINIO_NOTIFY_KAFKA_ENABLE_{suffix}": "on",
        f"MINIO_NOTIFY_KAFKA_BROKERS_{suffix}": f"{HOST}:{ctx.ports['kafka']}",
        f"MINIO_NOTIFY_KAFKA_TOPIC_{suffix}": ACCESS_TOPIC,
        # Persisted on disk and replayed in order once Kafka answers again: no download is lost
        # to a Kafka outage shorter than the queue (QUEUE_LIMIT events).
        f"MINIO_NOTIFY_KAFKA_QUEUE_DIR_{suffix}": str(queue),
        f"MINIO_NOTIFY_KAFKA_QUEUE_LIMIT_{suffix}": "100000",
    }


def _ensure_bucket(ctx: Ctx) -> None:
    from minio import Minio
    from minio.error import S3Error
    from minio.notificationconfig import NotificationConfig, QueueConfig

    client = Minio(
        endpoint(ctx),
        access_key=ctx.secrets["minio_access_key"],
        secret_key=ctx.secrets["minio_secret_key"],
        secure=False,
    )
    try:
        if not client.bucket_exists(BUCKET):
            client.make_bucket(BUCKET)  # private: no bucket policy is set
            ctx.reporter.info(NAME, f"created bucket {BUCKET}")
    except (S3Error, OSError) as exc:
        raise StackError(NAME, f"cannot create bucket {BUCKET}: {exc}", log=ctx.log(NAME)) from exc
    try:
        client.set_bucket_notification(
            BUCKET,
            NotificationConfig(queue_config_list=[QueueConfig(events=ACCESS_EVENTS, queue=NOTIFY_ARN)]),
        )
    except (S3Error, OSError) as exc:
        # A MinIO started before its Kafka target existed does not know the ARN: counting
        # downloads needs `deploy.local stop minio` once, the rest of the stack works anyway.
        ctx.reporter.warn(NAME, f"download notifications not enabled (restart minio): {exc}")


def stop(ctx: Ctx) -> bool:
    return procs.stop(ctx.state_dir, NAME, timeout=20)
