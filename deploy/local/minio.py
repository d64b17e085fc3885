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


def _ensure_bucket(ctx: Ctx) -> None:
    from minio import Minio
    from minio.error import S3Error

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


def stop(ctx: Ctx) -> bool:
    return procs.stop(ctx.state_dir, NAME, timeout=20)
