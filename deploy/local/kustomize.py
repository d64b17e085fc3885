"""kustomize, pinned, for rendering deploy/k8s in the manifest tests (built once with go install).

v5.8.1 is the newest kustomize whose module still builds with the Go 1.24 the project asks for
(5.8.2 wants Go 1.26)."""

from __future__ import annotations

from pathlib import Path

from .install import cached_go_binary, go_install
from .paths import cache_dir
from .report import Reporter

NAME = "kustomize"
MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
VERSION = "v5.8.1"


def ensure_installed(reporter: Reporter, log: Path) -> Path:
    """The cached kustomize binary at VERSION, built on first use."""
    bin_dir = cache_dir() / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    binary = cached_go_binary(bin_dir, NAME, VERSION)
    if binary is None:
        binary = go_install(reporter, NAME, MODULE, VERSION, bin_dir, log)
    return binary
