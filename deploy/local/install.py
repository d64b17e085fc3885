"""Installing what is missing: Debian packages, Go builds and Maven downloads, all cached."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from .report import Reporter, StackError

_apt_updated = False
_apt_lock = threading.Lock()


def run(
    step: str,
    argv: Sequence[str],
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    hint: str = "",
    timeout: float | None = None,
    shown: Sequence[str] | None = None,
) -> None:
    """Run a finite command, output appended to ``log``; raise StackError with its tail on failure.

    ``shown`` is what the log and the error name instead of ``argv`` (an argument holding a
    password, say)."""
    shown = list(shown or argv)
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(shown)}\n".encode())
        out.flush()
        try:
            result = subprocess.run(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=full_env,
                cwd=cwd,
                timeout=timeout,
                check=False,
            )
        except FileNotFoundError as exc:
            raise StackError(step, f"{argv[0]} not found", hint=hint, log=log) from exc
        except subprocess.TimeoutExpired as exc:
            raise StackError(step, f"{shown[0]} timed out after {timeout:.0f}s", hint=hint, log=log) from exc
    if result.returncode != 0:
        raise StackError(step, f"{' '.join(shown[:3])} failed (exit {result.returncode})", hint=hint, log=log)


def apt_install(reporter: Reporter, component: str, packages: Sequence[str], log: Path) -> None:
    """Install Debian packages (``apt-get update`` first, once per run)."""
    global _apt_updated
    if os.geteuid() != 0:
        raise StackError(
            component,
            f"{', '.join(packages)} missing and not running as root",
            hint=f"run: sudo apt-get install -y {' '.join(packages)}",
        )
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    with _apt_lock:
        if not _apt_updated:
            with reporter.step(component, "apt-get update"):
                run(
                    component,
                    ["apt-get", "update"],
                    log=log,
                    env=env,
                    hint="check the machine's apt sources and network",
                )
            _apt_updated = True
        with reporter.step(component, f"installing Debian package(s) {' '.join(packages)}"):
            run(
                component,
                ["apt-get", "install", "-y", "--no-install-recommends", *packages],
                log=log,
                env=env,
                hint="apt-get failed: run `apt-get update` and retry, or install the packages by hand",
            )


def missing_debian_packages(packages: Sequence[str]) -> list[str]:
    """The packages dpkg does not report as installed (absent, removed or half-configured)."""

    def installed(package: str) -> bool:
        status = subprocess.run(
            ["dpkg-query", "--show", "--showformat=${Status}", package],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return status.strip() == "install ok installed"

    return [package for package in packages if not installed(package)]


def require_tool(component: str, tool: str, hint: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise StackError(component, f"`{tool}` is not on PATH", hint=hint)
    return path


def go_env(var: str) -> str:
    go = require_tool("go", "go", "install Go (1.24+) and put it on PATH")
    return subprocess.run([go, "env", var], capture_output=True, text=True, check=True).stdout.strip()


GO_HINT = "go install failed: is the Go module proxy reachable (go env GOPROXY)? See the log above."


def go_binary_version(binary: Path) -> str:
    """The main module's version embedded by the Go toolchain (`go version -m`)."""
    go = shutil.which("go")
    if go is None or not binary.exists():
        return ""
    out = subprocess.run([go, "version", "-m", str(binary)], capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "mod":
            return parts[2]
    return ""


def cached_go_binary(bin_dir: Path, name: str, version: str) -> Path | None:
    """The cached build of ``name`` at ``version``, if any (a ``<name>.version`` stamp marks it)."""
    binary = bin_dir / name
    stamp = bin_dir / f"{name}.version"
    if not binary.exists():
        return None
    try:
        if stamp.read_text().strip() == version:
            return binary
    except OSError:
        pass
    if go_binary_version(binary) == version:
        stamp.write_text(version + "\n")
        return binary
    return None


def go_binary_name(module: str) -> str:
    """The file `go install` writes: the last path element, or the one before a /vN suffix."""
    parts = module.split("/")
    return parts[-2] if re.fullmatch(r"v\d+", parts[-1]) and len(parts) > 1 else parts[-1]


def go_install(
    reporter: Reporter, component: str, module: str, version: str, bin_dir: Path, log: Path
) -> Path:
    """`go install module@version` into a scratch GOBIN, then move the binary into the cache.

    The scratch directory is this process's own, so stacks starting side by side (several
    checkouts, CI and a developer) may build at once; the last rename wins, atomically."""
    go = require_tool(component, "go", "install Go 1.24+ (https://go.dev/dl) and put it on PATH")
    name = go_binary_name(module)
    scratch = Path(tempfile.mkdtemp(prefix=f".build-{name}-", dir=bin_dir))
    with reporter.step(component, f"building {name} {version} with go install (several minutes, once)"):
        try:
            run(
                component,
                [go, "install", f"{module}@{version}"],
                log=log,
                env={"GOBIN": str(scratch), "CGO_ENABLED": "0"},
                hint=GO_HINT,
            )
            (scratch / name).replace(bin_dir / name)
            (bin_dir / f"{name}.version").write_text(version + "\n")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return bin_dir / name
