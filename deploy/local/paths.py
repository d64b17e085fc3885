"""Where things live: the repository, the per-stack state dir and the per-user cache."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_LOCAL = Path(__file__).resolve().parent
GATEWAY_TEMPLATE = REPO_ROOT / "deploy" / "gateway" / "nginx.conf.template"
WEB_ROOT = REPO_ROOT / "web"

SERVICES = ("identity", "licensing", "downloads", "cases", "notifier")
INFRA = ("postgres", "kafka", "minio", "mailpit")
# The support mailbox is the cases service's SMTP receiver, run as its own process.
COMPONENTS = (*INFRA, *SERVICES, "mailbox", "gateway")


def default_state_dir() -> Path:
    return REPO_ROOT / ".run"


def resolve_state_dir(state_dir: Path | str | None) -> Path:
    path = Path(state_dir) if state_dir is not None else default_state_dir()
    return path.expanduser().resolve()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "support-portal"


def python_executable() -> str:
    venv_python = REPO_ROOT / ".venv" / "bin" / "python"
    if venv_python.exists():
        return str(venv_python)
    import sys

    return sys.executable
