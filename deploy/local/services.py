"""The five Python services: migrations, then uvicorn, then /readyz."""

from __future__ import annotations

import hashlib
import os
import subprocess

from . import procs
from .context import Ctx
from .health import http_ok, wait_ready
from .paths import REPO_ROOT, python_executable
from .ports import HOST
from .report import StackError, tail_lines

READY_DEADLINE = 60.0
MIGRATE_TIMEOUT = 180.0


def app_exists(name: str) -> bool:
    return (REPO_ROOT / "services" / name / "app.py").exists()


def url(ctx: Ctx, name: str) -> str:
    return f"http://{HOST}:{ctx.ports[name]}"


def database_url(ctx: Ctx, db: str) -> str:
    pw = ctx.secrets["postgres_password"]
    return f"postgresql+asyncpg://postgres:{pw}@{HOST}:{ctx.ports['postgres']}/{db}"


def env_for(ctx: Ctx, name: str) -> dict[str, str]:
    """The service's settings, all under its own prefix (the same full set for every service)."""
    p = name.upper()
    return {
        f"{p}_ENV": "development",
        f"{p}_DATABASE_URL": database_url(ctx, name),
        f"{p}_KAFKA_BOOTSTRAP": f"{HOST}:{ctx.ports['kafka']}",
        f"{p}_JWKS_URL": f"{url(ctx, 'identity')}/.well-known/jwks.json",
        f"{p}_PUBLIC_URL": f"http://{HOST}:{ctx.ports['gateway']}",
        f"{p}_S3_ENDPOINT": f"{HOST}:{ctx.ports['minio']}",
        f"{p}_S3_ACCESS_KEY": ctx.secrets["minio_access_key"],
        f"{p}_S3_SECRET_KEY": ctx.secrets["minio_secret_key"],
        f"{p}_S3_BUCKET": "artifacts",
        f"{p}_SMTP_HOST": HOST,
        f"{p}_SMTP_PORT": str(ctx.ports["mailpit_smtp"]),
        f"{p}_STATE_DIR": str(ctx.state_dir / "services" / name),
    }


def process_env(ctx: Ctx, name: str) -> dict[str, str]:
    return {**os.environ, **env_for(ctx, name), "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}


def fingerprint(ctx: Ctx, name: str) -> str:
    """Changes when the service's code, the kernel's code or its settings change, so a second
    `up` restarts a service that would otherwise keep serving stale code."""
    digest = hashlib.sha256()
    for root in (REPO_ROOT / "services" / name, REPO_ROOT / "shared"):
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".json", ".po", ".mo", ".ini", ".toml"} and (
                "__pycache__" not in path.parts
            ):
                st = path.stat()
                digest.update(f"{path}:{st.st_mtime_ns}:{st.st_size}\n".encode())
    for key, value in sorted(env_for(ctx, name).items()):
        digest.update(f"{key}={value}\n".encode())
    return digest.hexdigest()[:16]


def healthy(ctx: Ctx, name: str) -> bool:
    return http_ok(f"{url(ctx, name)}/readyz")


def migrate(ctx: Ctx, name: str) -> None:
    log = ctx.log(name)
    if not (REPO_ROOT / "shared" / "migrate.py").exists():
        ctx.reporter.warn(name, "shared/migrate.py does not exist yet: skipping migrations")
        return
    if not (REPO_ROOT / "services" / name / "migrations").exists():
        ctx.reporter.warn(name, f"services/{name}/migrations does not exist yet: skipping migrations")
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(f"\n$ python -m shared.migrate {name}\n".encode())
        out.flush()
        try:
            result = subprocess.run(
                [python_executable(), "-m", "shared.migrate", name],
                cwd=REPO_ROOT,
                env=process_env(ctx, name),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=MIGRATE_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise StackError(name, "migrations timed out", log=log) from exc
    if result.returncode != 0:
        raise StackError(
            name,
            f"migrations failed (exit {result.returncode})",
            hint=f"fix services/{name}/migrations, then run `python -m deploy.local start {name}`",
            log=log,
        )


def start(ctx: Ctx, name: str) -> bool:
    """Start (or keep) one service. False when its code does not exist yet."""
    if not app_exists(name):
        ctx.reporter.warn(name, f"services/{name}/app.py does not exist yet: not started")
        return False
    fp = fingerprint(ctx, name)
    record = procs.running(ctx.state_dir, name)
    if record is not None and record.fingerprint == fp and healthy(ctx, name):
        ctx.reporter.info(name, f"already running at {url(ctx, name)} ✓")
        return True
    if record is not None:
        ctx.reporter.info(name, "code or settings changed: restarting")
        procs.stop(ctx.state_dir, name, timeout=15)
    with ctx.reporter.step(name, f"migrating and starting at {url(ctx, name)}"):
        (ctx.state_dir / "services" / name).mkdir(parents=True, exist_ok=True)
        migrate(ctx, name)
        record = procs.spawn(
            ctx.state_dir,
            name,
            [
                python_executable(),
                "-m",
                "uvicorn",
                "--factory",
                f"services.{name}.app:create_app",
                "--host",
                HOST,
                "--port",
                str(ctx.ports[name]),
                "--no-access-log",
                # Named, not left to "auto": a missing wheel fails the start instead of silently
                # falling back to the pure-Python loop and parser (each costs CPU per request).
                "--loop",
                "uvloop",
                "--http",
                "httptools",
            ],
            log=ctx.log(name),
            env=process_env(ctx, name),
            cwd=REPO_ROOT,
            fingerprint=fp,
        )
        try:
            wait_ready(
                name,
                lambda: healthy(ctx, name),
                deadline=READY_DEADLINE,
                record=record,
                log=ctx.log(name),
                what="ready (GET /readyz)",
                hint=f"see {ctx.log(name)}; fix the service, then `python -m deploy.local start {name}`",
                interval=0.3,
            )
        except StackError:
            procs.stop(ctx.state_dir, name, timeout=5)
            raise
    return True


def stop(ctx: Ctx, name: str) -> bool:
    return procs.stop(ctx.state_dir, name, timeout=15)


def log_tail(ctx: Ctx, name: str, lines: int = 30) -> str:
    return tail_lines(ctx.log(name), lines)
