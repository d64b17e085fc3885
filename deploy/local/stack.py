"""Python API of the native stack (used by `python -m deploy.local`, `make run` and test fixtures).

from deploy.local import stack
info = stack.up()                 # infra + services + gateway; returns stack.json's content
stack.stop("kafka"); stack.start("kafka")   # same ports, waits until ready
stack.down()
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

from . import backup as backups
from . import browser, gateway, kafka, mailbox, mailpit, minio, postgres, procs
from . import services as svc
from .context import Ctx
from .paths import COMPONENTS, INFRA, SERVICES, resolve_state_dir
from .ports import HOST, ensure_ports, load_ports
from .report import Reporter, StackError
from .state import load_secrets, locked, read_json, write_json

MODULES: dict[str, ModuleType] = {
    "postgres": postgres,
    "kafka": kafka,
    "minio": minio,
    "mailpit": mailpit,
    "gateway": gateway,
    "mailbox": mailbox,
}

__all__ = ["StackError", "down", "ensure_browser", "service_env", "start", "status", "stop", "up"]


def _context(state_dir: Path | str | None, quiet: bool = False) -> Ctx:
    sd = resolve_state_dir(state_dir)
    sd.mkdir(parents=True, exist_ok=True)
    reporter = Reporter(quiet=quiet)
    running = {name for name in COMPONENTS if procs.running(sd, name) is not None}
    ports = ensure_ports(sd, running, reporter.warn)
    return Ctx(state_dir=sd, ports=ports, secrets=load_secrets(sd), reporter=reporter)


def _parallel(ctx: Ctx, jobs: dict[str, Any]) -> dict[str, Any]:
    """Run named callables concurrently; raise after all finished if any failed."""
    results: dict[str, Any] = {}
    errors: list[BaseException] = []
    if not jobs:
        return results
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        for name, future in futures.items():
            try:
                results[name] = future.result()
            except BaseException as exc:
                errors.append(exc)
    if errors:
        stack_errors = [e for e in errors if isinstance(e, StackError)]
        if len(stack_errors) > 1:
            for extra in stack_errors[1:]:
                print(extra.details(), flush=True)
        raise errors[0]
    return results


def _install(ctx: Ctx, components: list[str]) -> None:
    for name in components:
        MODULES[name].ensure_installed(ctx)


def up(state_dir: Path | None = None, *, services: bool = True, quiet: bool = False) -> dict[str, Any]:
    """Install what is missing, start what is not running, wait until all is ready.

    Idempotent: running processes are kept (a service whose code changed is restarted).
    Returns the content of ``<state>/stack.json``.
    """
    begin = time.monotonic()
    with locked(resolve_state_dir(state_dir)):
        ctx = _context(state_dir, quiet)
        _install(ctx, [*INFRA, *(["gateway"] if services else [])])
        _parallel(ctx, {name: (lambda m=MODULES[name]: m.start(ctx)) for name in INFRA})
        started: dict[str, bool] = {}
        if services:
            started = _parallel(ctx, {name: (lambda n=name: svc.start(ctx, n)) for name in SERVICES})
            if started.get("cases"):
                mailbox.start(ctx)
            gateway.start(ctx)
        info = _stack_info(ctx)
        write_json(ctx.state_dir / "stack.json", info, private=True)
    if not quiet:
        _print_summary(info, services, started, time.monotonic() - begin)
    return info


def ensure_browser(state_dir: Path | None = None, *, quiet: bool = False) -> Path:
    """Install the portal tests' browser and fonts if missing (see browser.py); return Chromium."""
    sd = resolve_state_dir(state_dir)
    sd.mkdir(parents=True, exist_ok=True)
    return browser.ensure_installed(Reporter(quiet=quiet), sd / "logs" / "install.log")


def _stack_info(ctx: Ctx) -> dict[str, Any]:
    p, s = ctx.ports, ctx.secrets
    return {
        "state_dir": str(ctx.state_dir),
        "postgres": {
            "host": HOST,
            "port": p["postgres"],
            "user": "postgres",
            "password": s["postgres_password"],
            "url_template": svc.database_url(ctx, "{db}"),
        },
        "kafka": {
            "bootstrap": f"{HOST}:{p['kafka']}",
            # The SCRAM-SHA-512 listener, for clients that authenticate as in production.
            "sasl_bootstrap": f"{HOST}:{p['kafka_sasl']}",
            "scram_username": kafka.SCRAM_USER,
            "scram_password": s["kafka_scram_password"],
        },
        "minio": {
            "endpoint": minio.endpoint(ctx),
            "access_key": s["minio_access_key"],
            "secret_key": s["minio_secret_key"],
            "bucket": minio.BUCKET,
            "console_url": ctx.url("minio_console"),
        },
        "mailpit": {
            "smtp_host": HOST,
            "smtp_port": p["mailpit_smtp"],
            "http_url": mailpit.http_url(ctx),
            "ui": mailpit.ui_available(ctx),
        },
        "services": {
            name: {
                "url": svc.url(ctx, name),
                "env": svc.env_for(ctx, name),
                "running": procs.running(ctx.state_dir, name) is not None,
            }
            for name in SERVICES
        },
        "mailbox": {
            "smtp_host": HOST,
            "smtp_port": p["mailbox"],
            "support_address": mailbox.SUPPORT_ADDRESS,
            "running": procs.running(ctx.state_dir, "mailbox") is not None,
        },
        "gateway": {
            "url": gateway.url(ctx),
            "running": procs.running(ctx.state_dir, "gateway") is not None,
        },
    }


def _print_summary(info: dict[str, Any], services: bool, started: dict[str, bool], elapsed: float) -> None:
    lines = [f"Stack up in {elapsed:.1f}s — state {info['state_dir']}"]
    if services:
        lines.append(f"  portal    {info['gateway']['url']}/")
    pg = info["postgres"]
    lines.append(f"  postgres  {pg['host']}:{pg['port']} user postgres (password in stack.json)")
    lines.append(f"  kafka     {info['kafka']['bootstrap']}")
    lines.append(f"  minio     http://{info['minio']['endpoint']}  console {info['minio']['console_url']}")
    mp = info["mailpit"]
    lines.append(f"  mailpit   {mp['http_url']}  SMTP {mp['smtp_host']}:{mp['smtp_port']}")
    for name, entry in info["services"].items():
        if services:
            state = "" if started.get(name) else "  (not started: no app.py yet)"
            lines.append(f"  {name:<9} {entry['url']}{state}")
    mb = info["mailbox"]
    if services and mb["running"]:
        lines.append(f"  mailbox   SMTP {mb['smtp_host']}:{mb['smtp_port']}  (mail {mb['support_address']})")
    print("\n".join(lines), flush=True)


def down(state_dir: Path | None = None, *, purge: bool = False, quiet: bool = False) -> list[str]:
    """Stop exactly the processes this tool started (gateway, services, then infra).

    With ``purge`` the state dir (databases, topics, objects, mail) is deleted as well.
    Returns the names of the components that were running.
    """
    sd = resolve_state_dir(state_dir)
    reporter = Reporter(quiet=quiet)
    stopped: list[str] = []
    if not sd.exists():
        return stopped
    with locked(sd):
        for group in (["gateway", "mailbox"], list(SERVICES), list(INFRA)):
            live = [name for name in group if procs.running(sd, name) is not None]
            if not live:
                continue

            def stop_one(name: str) -> None:
                with reporter.step(name, "stopping"):
                    procs.stop(sd, name, timeout=_stop_timeout(name))

            with ThreadPoolExecutor(max_workers=len(live)) as pool:
                list(pool.map(stop_one, live))
            stopped.extend(live)
        if purge:
            _purge(sd, reporter)
    if not stopped:
        reporter.info("stack", "nothing was running")
    return stopped


def _purge(sd: Path, reporter: Reporter) -> None:
    """Delete the state dir, except stacks nested in it (e.g. `.run/test` inside `.run`):
    they have their own processes and are purged with their own `--state`."""
    postgres.purge_external(sd)
    kept = []
    for child in sd.iterdir():
        if child.is_dir() and not child.is_symlink() and (child / "ports.json").exists():
            kept.append(child.name)
        elif child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    if kept:
        reporter.info("state", f"deleted {sd} except nested stacks: {', '.join(sorted(kept))}")
    else:
        sd.rmdir()
        reporter.info("state", f"deleted {sd}")


def _stop_timeout(name: str) -> float:
    return {"kafka": 45.0, "postgres": 30.0}.get(name, 15.0)


def status(state_dir: Path | None = None) -> dict[str, Any]:
    """What runs, where, and whether it answers its health check. Starts and allocates nothing."""
    sd = resolve_state_dir(state_dir)
    ports = load_ports(sd) if sd.exists() else {}
    secrets = {k: str(v) for k, v in read_json(sd / "secrets.json").items()}
    ctx = Ctx(state_dir=sd, ports=ports, secrets=secrets, reporter=Reporter(quiet=True))
    result: dict[str, Any] = {}
    for name in COMPONENTS:
        record = procs.running(sd, name) if sd.exists() else None
        entry: dict[str, Any] = {
            "running": record is not None,
            "pid": record.pid if record else None,
            "healthy": False,
            "address": _address(ctx, name),
            "log": str(ctx.log(name)),
        }
        if record is not None:
            try:
                entry["healthy"] = _healthy(ctx, name)
            except (KeyError, OSError):
                entry["healthy"] = False
        result[name] = entry
    return result


def _address(ctx: Ctx, name: str) -> str | None:
    port_name = {"mailpit": "mailpit_http"}.get(name, name)
    port = ctx.ports.get(port_name)
    if port is None:
        return None
    if name in ("postgres", "kafka"):
        return f"{HOST}:{port}"
    if name == "mailbox":
        return f"smtp://{HOST}:{port}  ({mailbox.SUPPORT_ADDRESS})"
    return f"http://{HOST}:{port}"


def _healthy(ctx: Ctx, name: str) -> bool:
    if name in SERVICES:
        return svc.healthy(ctx, name)
    if name == "kafka":
        return kafka.healthy(ctx)
    return bool(MODULES[name].healthy(ctx))


def _check_component(component: str) -> None:
    if component not in COMPONENTS:
        raise StackError(component, f"unknown component; choose from {', '.join(COMPONENTS)}")


def start(component: str, state_dir: Path | None = None, *, quiet: bool = True) -> None:
    """Start one component (same ports as before) and wait until it is ready."""
    _check_component(component)
    with locked(resolve_state_dir(state_dir)):
        ctx = _context(state_dir, quiet)
        if component in SERVICES:
            if not svc.start(ctx, component):
                raise StackError(component, f"services/{component}/app.py does not exist")
            return
        MODULES[component].ensure_installed(ctx)
        MODULES[component].start(ctx)


def stop(component: str, state_dir: Path | None = None) -> bool:
    """Stop one component politely. True if it was running."""
    _check_component(component)
    sd = resolve_state_dir(state_dir)
    with locked(sd):
        return procs.stop(sd, component, timeout=_stop_timeout(component))


def service_env(name: str, state_dir: Path | None = None) -> dict[str, str]:
    """The environment a service runs with (its own prefix), e.g. to build settings in tests."""
    if name not in SERVICES:
        raise StackError(name, f"unknown service; choose from {', '.join(SERVICES)}")
    with locked(resolve_state_dir(state_dir)):
        ctx = _context(state_dir, quiet=True)
        return svc.env_for(ctx, name)


def backup(state_dir: Path | None, target: Path, *, quiet: bool = False) -> dict[str, Any]:
    """Dump a running stack (see backup.py for why the cut is consistent)."""
    with locked(resolve_state_dir(state_dir)):
        return dict(backups.backup(_context(state_dir, quiet), target.resolve()))


def restore(state_dir: Path | None, source: Path, *, quiet: bool = False) -> dict[str, Any]:
    """Restore a backup into a stack's infrastructure, then start the services on it."""
    up(state_dir, services=False, quiet=quiet)
    sd = resolve_state_dir(state_dir)
    for name in (*SERVICES, "gateway"):
        stop(name, sd)
    with locked(sd):
        manifest = dict(backups.restore(_context(state_dir, quiet), source.resolve()))
    up(state_dir, services=True, quiet=quiet)
    return manifest
