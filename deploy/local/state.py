"""Persistent per-stack state: ports, generated secrets, and a lock against concurrent runs."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: dict[str, Any], *, private: bool = False) -> None:
    """Write atomically (tmp + rename) so a crash never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)


@contextmanager
def locked(state_dir: Path) -> Iterator[None]:
    """Serialise up/down/start/stop on one state dir (e.g. parallel test workers)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(state_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def kafka_cluster_id() -> str:
    """Kafka's own format: 16 random bytes, URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def load_secrets(state_dir: Path) -> dict[str, str]:
    """Generated once per state dir and kept, so data written earlier stays readable."""
    path = state_dir / "secrets.json"
    data = read_json(path)
    wanted = {
        "postgres_password": lambda: secrets.token_urlsafe(18),
        "minio_access_key": lambda: "portal-" + secrets.token_hex(4),
        "minio_secret_key": lambda: secrets.token_urlsafe(24),
        "kafka_cluster_id": kafka_cluster_id,
        "kafka_scram_password": lambda: secrets.token_urlsafe(18),
    }
    changed = False
    for key, make in wanted.items():
        if not isinstance(data.get(key), str) or not data[key]:
            data[key] = make()
            changed = True
    if changed:
        write_json(path, data, private=True)
    return {k: str(v) for k, v in data.items()}
