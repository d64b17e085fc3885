"""PostgreSQL 15 from Debian packages, run as our own cluster (never the system one)."""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from . import procs
from .context import Ctx
from .health import wait_ready
from .install import apt_install, run
from .paths import SERVICES
from .ports import HOST
from .report import StackError

NAME = "postgres"
VERSION = "15"
USER = "postgres"
CONF_NAME = "support-portal.conf"
ALT_ROOT = Path("/var/lib/support-portal")


def bin_dir() -> Path:
    return Path(f"/usr/lib/postgresql/{VERSION}/bin")


def ensure_installed(ctx: Ctx) -> None:
    if (bin_dir() / "postgres").exists() and (bin_dir() / "psql").exists():
        return
    apt_install(ctx.reporter, NAME, ["postgresql", "postgresql-client"], ctx.log("install"))
    if not (bin_dir() / "postgres").exists():
        raise StackError(NAME, f"PostgreSQL {VERSION} binaries not found in {bin_dir()} after install")


def _as_root() -> bool:
    return os.geteuid() == 0


def _run_user() -> str | None:
    """Postgres refuses to run as root; as root we run it as the Debian `postgres` user."""
    return USER if _as_root() else None


def _reachable_by_postgres(path: Path) -> bool:
    if not _as_root():
        return True
    result = subprocess.run(["runuser", "-u", USER, "--", "test", "-x", str(path)], check=False)
    return result.returncode == 0


def _pg_base(ctx: Ctx) -> Path:
    """Where the cluster lives: inside the state dir, unless the `postgres` user cannot reach it
    (e.g. a checkout under /root); then under /var/lib/support-portal with a symlink in state."""
    link = ctx.state_dir / "postgres"
    if link.is_symlink():
        return link.resolve().parent
    if _reachable_by_postgres(ctx.state_dir):
        return ctx.state_dir
    digest = hashlib.sha256(str(ctx.state_dir).encode()).hexdigest()[:12]
    base = ALT_ROOT / digest
    base.mkdir(parents=True, exist_ok=True)
    ALT_ROOT.chmod(0o755)
    base.chmod(0o755)
    if not link.exists():
        link.symlink_to(base / "postgres")
    (base / "state-dir").write_text(str(ctx.state_dir) + "\n")
    return base


def data_dir(ctx: Ctx) -> Path:
    return _pg_base(ctx) / "postgres"


def socket_dir(ctx: Ctx) -> Path:
    sock = _pg_base(ctx) / "postgres-socket"
    if len(str(sock)) + len("/.s.PGSQL.65535") > 100:  # the kernel's sun_path limit
        digest = hashlib.sha256(str(ctx.state_dir).encode()).hexdigest()[:12]
        sock = Path(tempfile.gettempdir()) / f"support-portal-pg-{digest}"
    return sock


def _chown(path: Path) -> None:
    if _as_root():
        entry = pwd.getpwnam(USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _initdb(ctx: Ctx) -> None:
    data = data_dir(ctx)
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o700)
    _chown(data)
    fd, pwfile = tempfile.mkstemp(prefix="pgpw-")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(ctx.secrets["postgres_password"] + "\n")
        _chown(Path(pwfile))
        argv = [
            str(bin_dir() / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "--auth-host=scram-sha-256",
            "--auth-local=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
        ]
        if _as_root():
            argv = ["runuser", "-u", USER, "--", *argv]
        run(NAME, argv, log=ctx.log(NAME), hint=f"remove {data} and retry if it is half-initialised")
    finally:
        Path(pwfile).unlink(missing_ok=True)
    conf = data / "postgresql.conf"
    with conf.open("a") as fh:
        fh.write(f"\n# Settings managed by deploy/local (rewritten on every start)\ninclude '{CONF_NAME}'\n")


def _write_conf(ctx: Ctx) -> None:
    sock = socket_dir(ctx)
    sock.mkdir(parents=True, exist_ok=True)
    _chown(sock)
    settings = {
        "listen_addresses": f"'{HOST}'",
        "port": str(ctx.ports[NAME]),
        "unix_socket_directories": f"'{sock}'",
        "max_connections": "200",
        # Durable enough for development (no fsync=off): a crash may lose the last commits only.
        "synchronous_commit": "off",
        "shared_buffers": "128MB",
        "password_encryption": "scram-sha-256",
        "timezone": "'UTC'",
        "log_timezone": "'UTC'",
        "logging_collector": "off",
        "log_line_prefix": "'%m [%p] %q%u@%d '",
        "log_min_duration_statement": "-1",
    }
    path = data_dir(ctx) / CONF_NAME
    path.write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
    _chown(path)


def _env(ctx: Ctx) -> dict[str, str]:
    return {**os.environ, "PGPASSWORD": ctx.secrets["postgres_password"], "PGCONNECT_TIMEOUT": "3"}


def _psql(ctx: Ctx, sql: str, db: str = "postgres") -> subprocess.CompletedProcess[str]:
    argv = [
        str(bin_dir() / "psql"),
        "-h",
        HOST,
        "-p",
        str(ctx.ports[NAME]),
        "-U",
        USER,
        "-d",
        db,
        "-v",
        "ON_ERROR_STOP=1",
        "-Atqc",
        sql,
    ]
    return subprocess.run(argv, env=_env(ctx), capture_output=True, text=True, check=False)


def healthy(ctx: Ctx) -> bool:
    result = subprocess.run(
        [str(bin_dir() / "pg_isready"), "-q", "-h", HOST, "-p", str(ctx.ports[NAME]), "-t", "2"],
        check=False,
    )
    return result.returncode == 0


def start(ctx: Ctx) -> None:
    if procs.running(ctx.state_dir, NAME) is not None and healthy(ctx):
        ctx.reporter.info(NAME, f"already running on {HOST}:{ctx.ports[NAME]} ✓")
        _create_databases(ctx)
        return
    with ctx.reporter.step(NAME, f"starting on {HOST}:{ctx.ports[NAME]}"):
        if not (data_dir(ctx) / "PG_VERSION").exists():
            _initdb(ctx)
        if _stale_pid(ctx):
            (data_dir(ctx) / "postmaster.pid").unlink()
        _write_conf(ctx)
        record = procs.spawn(
            ctx.state_dir,
            NAME,
            [str(bin_dir() / "postgres"), "-D", str(data_dir(ctx))],
            log=ctx.log(NAME),
            user=_run_user(),
            # SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
            stop_signal=signal.SIGINT,
        )
        wait_ready(
            NAME,
            lambda: healthy(ctx),
            deadline=60,
            record=record,
            log=ctx.log(NAME),
            hint="see the log above; a port clash or a damaged data dir are the usual causes",
        )
        _create_databases(ctx)


def _stale_pid(ctx: Ctx) -> bool:
    """A postmaster.pid left by a killed server whose pid now belongs to no postgres process
    (a recycled pid would otherwise make postgres refuse to start)."""
    pid_file = data_dir(ctx) / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    try:
        return "postgres" not in os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return True


def _create_databases(ctx: Ctx) -> None:
    result = _psql(ctx, "SELECT datname FROM pg_database")
    if result.returncode != 0:
        raise StackError(NAME, f"cannot query databases: {result.stderr.strip()}", log=ctx.log(NAME))
    existing = set(result.stdout.split())
    for db in SERVICES:
        if db in existing:
            continue
        created = _psql(ctx, f'CREATE DATABASE "{db}"')
        if created.returncode != 0 and "already exists" not in created.stderr:
            raise StackError(NAME, f"CREATE DATABASE {db} failed: {created.stderr.strip()}")
        ctx.reporter.info(NAME, f"created database {db}")


def stop(ctx: Ctx) -> bool:
    return procs.stop(ctx.state_dir, NAME, timeout=30)


def purge_external(state_dir: Path) -> None:
    """`down --purge`: the cluster may live outside the state dir (see _pg_base)."""
    link = state_dir / "postgres"
    if link.is_symlink():
        target = link.resolve().parent
        if target.parent == ALT_ROOT:
            shutil.rmtree(target, ignore_errors=True)
