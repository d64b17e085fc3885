"""Podman for building and smoke-testing the container images, set up the way it runs here.

Installed from Debian packages like PostgreSQL and nginx, with three adjustments found by trying
on a CI machine that is itself a container:

* the runtime cannot raise RLIMIT_NOFILE (nor RLIMIT_NPROC) to podman's defaults
  (``setrlimit: Operation not permitted``): a private ``CONTAINERS_CONF`` lowers
  ``default_ulimits`` to this machine's hard limits;
* crun refuses cgroups in hybrid mode: ``runc`` with ``cgroup_manager = "cgroupfs"``, and
  ``events_logger = "file"`` because there is no systemd journal;
* base images cannot be pulled: a stand-in base is built from Debian packages with
  ``debootstrap --variant=minbase`` (from the machine's own apt mirror) and tagged as the base
  the Dockerfile names; builds then run with ``--pull=never``.

pip inside a build gets the host's pip configuration and CA bundle as build secrets (see
``build_secrets``): mounted for the one RUN step, never copied into a layer, never named in a file.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .install import apt_install, missing_debian_packages, run
from .paths import cache_dir
from .report import Reporter, StackError

NAME = "podman"
PACKAGES = ("podman", "runc", "debootstrap", "uidmap", "netavark", "aardvark-dns", "catatonit")
DEBIAN_SUITE = "bookworm"
# The stand-in base: what the service image needs from python:3.11-slim-bookworm.
BASE_IMAGE = "python:3.11-slim-bookworm"
BASE_PACKAGES = ("python3", "python3-venv", "ca-certificates", "tzdata")
# The gateway's base, nginxinc/nginx-unprivileged: nginx, envsubst and a shell.
GATEWAY_BASE_IMAGE = "nginxinc/nginx-unprivileged:1.27-alpine"
GATEWAY_BASE_PACKAGES = ("nginx", "gettext-base")  # the nginx deploy/local runs
STAND_IN_DIR = Path(__file__).with_name("stand_in")

CONTAINERS_CONF = """\
# Written by deploy/local/podman.py; see its docstring for why each setting is here.
[containers]
# Podman's defaults (nofile 1048576, nproc 4194304) exceed what this machine allows.
default_ulimits = [@ULIMITS@]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


def containers_conf() -> Path:
    """The private CONTAINERS_CONF (the machine's own containers.conf is left alone)."""
    path = cache_dir() / "podman" / "containers.conf"
    path.parent.mkdir(parents=True, exist_ok=True)
    limits = ", ".join(f'"{name}={limit}:{limit}"' for name, limit in _hard_limits().items())
    text = CONTAINERS_CONF.replace("@ULIMITS@", limits)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def _hard_limits(cap: int = 16384) -> dict[str, int]:
    """One limit for open files and processes: the lower of this process's hard limits, at most
    ``cap`` (plenty for one service; here runc refused nproc values well below the shell's own
    hard limit, so the number stays modest)."""
    import resource

    hard = [resource.getrlimit(which)[1] for which in (resource.RLIMIT_NOFILE, resource.RLIMIT_NPROC)]
    limit = min([cap, *(value for value in hard if value != resource.RLIM_INFINITY)])
    return {"nofile": limit, "nproc": limit}


def podman_env() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": str(containers_conf())}


def ensure_installed(reporter: Reporter, log: Path) -> str:
    missing = missing_debian_packages(PACKAGES)
    if missing:
        apt_install(reporter, NAME, missing, log)
    podman = shutil.which("podman")
    if podman is None:
        raise StackError(NAME, "podman missing after installing it", log=log)
    return podman


def image_exists(reference: str) -> bool:
    return (
        subprocess.run(
            ["podman", "image", "exists", reference], env=podman_env(), capture_output=True, check=False
        ).returncode
        == 0
    )


def debian_mirror() -> str:
    """The first Debian archive the machine's apt sources name (deb822 or one-line format)."""
    candidates = [Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")]
    candidates += sorted(Path("/etc/apt/sources.list.d").glob("*.list"))
    for source in candidates:
        if not source.exists():
            continue
        for match in re.finditer(
            r"(?:URIs:\s*|^deb\s+(?:\[[^]]*\]\s+)?)(\S+/debian)/?\s", source.read_text(), re.M
        ):
            return match.group(1)
    raise StackError(NAME, "no Debian archive found in the apt sources", hint="debootstrap needs one")


def _debootstrap_image(
    reporter: Reporter,
    log: Path,
    tag: str,
    packages: Sequence[str],
    prepare: Callable[[Path], None],
    cmd: str,
) -> str:
    """``tag`` built once from Debian packages with debootstrap and kept in podman's storage."""
    if image_exists(tag):
        return tag
    with reporter.step(NAME, f"building the stand-in base {tag} with debootstrap (once)"):
        root = Path(tempfile.mkdtemp(prefix="base-", dir=cache_dir()))
        try:
            argv = ["debootstrap", "--variant=minbase", f"--include={','.join(packages)}"]
            run(NAME, [*argv, DEBIAN_SUITE, str(root), debian_mirror()], log=log, hint="see the log above")
            prepare(root)
            for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
                shutil.rmtree(root / cache, ignore_errors=True)
            tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
            with log.open("ab") as out:
                imported = subprocess.run(
                    ["podman", "import", "--change", f"CMD {cmd}", "-", tag],
                    stdin=tar.stdout,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=podman_env(),
                    check=False,
                )
            tar.wait()
            if imported.returncode != 0 or tar.returncode != 0:
                raise StackError(NAME, f"podman import of the stand-in {tag} failed", log=log)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return tag


def _prepare_python(root: Path) -> None:
    # What the real base has and the Dockerfile relies on: `python` on PATH.
    (root / "usr/local/bin/python").unlink(missing_ok=True)
    (root / "usr/local/bin/python").symlink_to("/usr/bin/python3")


def _prepare_nginx(root: Path) -> None:
    # As in nginxinc/nginx-unprivileged: user nginx (101) owns /etc/nginx and the entrypoint
    # renders /etc/nginx/templates/*.template into $NGINX_ENVSUBST_OUTPUT_DIR before nginx starts.
    with (root / "etc/group").open("a") as group:
        group.write("nginx:x:101:\n")
    with (root / "etc/passwd").open("a") as passwd:
        passwd.write("nginx:x:101:101:nginx:/nonexistent:/usr/sbin/nologin\n")
    (root / "etc/nginx/sites-enabled/default").unlink(missing_ok=True)
    for path in [root / "etc/nginx", *(root / "etc/nginx").rglob("*")]:
        os.lchown(path, 101, 0)
    entrypoint = root / "docker-entrypoint.sh"
    shutil.copyfile(STAND_IN_DIR / "nginx-entrypoint.sh", entrypoint)
    entrypoint.chmod(0o755)


def ensure_base_image(reporter: Reporter, log: Path) -> str:
    """The stand-in for BASE_IMAGE (the service image's base)."""
    return _debootstrap_image(reporter, log, BASE_IMAGE, BASE_PACKAGES, _prepare_python, '["python3"]')


def ensure_gateway_base_image(reporter: Reporter, log: Path) -> str:
    """The stand-in for GATEWAY_BASE_IMAGE: Debian's nginx behind the same entrypoint contract."""
    return _debootstrap_image(
        reporter,
        log,
        GATEWAY_BASE_IMAGE,
        GATEWAY_BASE_PACKAGES,
        _prepare_nginx,
        '["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]',
    )


@contextlib.contextmanager
def api_service(socket: Path, log: Path) -> Iterator[str]:
    """Podman's Docker-compatible API on a private unix socket, for as long as the block runs.

    Yields the DOCKER_HOST URL; docker clients (testcontainers, docker-py) talk to it as to a
    Docker engine."""
    socket = socket.absolute()  # unix://.run/… would name a host ".run"
    socket.parent.mkdir(parents=True, exist_ok=True)
    socket.unlink(missing_ok=True)
    url = f"unix://{socket}"
    with log.open("ab") as out:
        process = subprocess.Popen(
            ["podman", "system", "service", "--time=0", url],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=podman_env(),
        )
    try:
        deadline = time.monotonic() + 30
        while not _answers(socket):
            if process.poll() is not None or time.monotonic() > deadline:
                raise StackError(NAME, "podman system service did not answer on its socket", log=log)
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        socket.unlink(missing_ok=True)


def _answers(socket: Path) -> bool:
    """GET /_ping on the socket answers OK."""
    import socket as sockets

    if not socket.exists():
        return False
    try:
        with sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM) as client:
            client.settimeout(2)
            client.connect(str(socket))
            client.sendall(b"GET /_ping HTTP/1.0\r\nHost: podman\r\n\r\n")
            return client.recv(64).startswith(b"HTTP/1.")
    except OSError:
        return False
