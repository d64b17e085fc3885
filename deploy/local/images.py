"""Build the service and gateway images with podman, from the stand-in bases when pulls fail.

`python -m deploy.local images` (and `make images`) builds both; the image smoke test
(tests/deploy/test_images.py) calls `build_all` itself, so a fresh machine needs no other step.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from . import podman
from .install import run
from .paths import REPO_ROOT
from .report import Reporter

# Tagged per checkout: podman's image store is the machine's, and two checkouts building and
# testing side by side (CI and a developer) must not run each other's code.
_CHECKOUT = hashlib.sha256(str(REPO_ROOT).encode()).hexdigest()[:8]
SERVICE_IMAGE = f"localhost/support-portal:smoke-{_CHECKOUT}"
GATEWAY_IMAGE = f"localhost/support-portal-gateway:smoke-{_CHECKOUT}"
# Build secrets pip may need (index settings, a CA bundle of a TLS-inspecting proxy): handed
# to the build only when the machine has them.
PIP_SECRETS = {
    "pip.conf": Path("/etc/pip.conf"),
    "ca-bundle": Path("/etc/ssl/certs/ca-certificates.crt"),
}


@dataclass(frozen=True)
class Built:
    service: str
    gateway: str
    seconds: float


def _revision() -> str:
    out = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def build(reporter: Reporter, log: Path, *, dockerfile: str, tag: str, base: str) -> str:
    argv = [
        "podman", "build", "--pull=never", "--network=host", "--layers",
        "--file", str(REPO_ROOT / dockerfile), "--tag", tag,
        "--build-arg", f"BASE_IMAGE={base}", "--build-arg", f"REVISION={_revision()}",
    ]  # fmt: skip
    for secret_id, source in PIP_SECRETS.items():
        if source.exists():
            argv += ["--secret", f"id={secret_id},src={source}"]
    with reporter.step(podman.NAME, f"building {tag}"):
        run(podman.NAME, [*argv, str(REPO_ROOT)], log=log, env=podman.podman_env(), hint="see the build log")
    return tag


def build_all(reporter: Reporter, log: Path) -> Built:
    started = time.monotonic()
    podman.ensure_installed(reporter, log)
    base = podman.ensure_base_image(reporter, log)
    service = build(reporter, log, dockerfile="deploy/docker/Dockerfile", tag=SERVICE_IMAGE, base=base)
    gateway_base = podman.ensure_gateway_base_image(reporter, log)
    gateway = build(
        reporter, log, dockerfile="deploy/docker/Dockerfile.gateway", tag=GATEWAY_IMAGE, base=gateway_base
    )
    return Built(service=service, gateway=gateway, seconds=time.monotonic() - started)
