"""The support mailbox: the cases service's SMTP receiver (`python -m services.cases.mailbox`).

It runs with the cases service's settings (same database, same `CASES_` prefix) on its own
loopback port; `make run` prints the address. Started after the cases service, whose
migrations create its tables and whose relay publishes the events it writes.
"""

from __future__ import annotations

import socket

from . import procs
from . import services as svc
from .context import Ctx
from .health import wait_ready
from .paths import REPO_ROOT, python_executable
from .ports import HOST

NAME = "mailbox"
SUPPORT_ADDRESS = "support@example.com"


def ensure_installed(ctx: Ctx) -> None:
    """Nothing to install: it is Python code of the cases service."""


def address(ctx: Ctx) -> str:
    return f"smtp://{HOST}:{ctx.ports[NAME]}"


def env(ctx: Ctx) -> dict[str, str]:
    return {
        **svc.env_for(ctx, "cases"),
        "CASES_MAILBOX_HOST": HOST,
        "CASES_MAILBOX_PORT": str(ctx.ports[NAME]),
        "CASES_SUPPORT_ADDRESS": SUPPORT_ADDRESS,
    }


def healthy(ctx: Ctx) -> bool:
    """The receiver answers with its 220 greeting."""
    try:
        with socket.create_connection((HOST, ctx.ports[NAME]), timeout=1.0) as sock:
            sock.settimeout(2.0)
            greeting = sock.recv(128)
            sock.sendall(b"QUIT\r\n")
    except (OSError, KeyError):
        return False
    return greeting.startswith(b"220")


def start(ctx: Ctx) -> None:
    fingerprint = f"{svc.fingerprint(ctx, 'cases')}:{ctx.ports[NAME]}"
    record = procs.running(ctx.state_dir, NAME)
    if record is not None and record.fingerprint == fingerprint and healthy(ctx):
        ctx.reporter.info(NAME, f"already running at {address(ctx)} ✓")
        return
    if record is not None:
        ctx.reporter.info(NAME, "code or settings changed: restarting")
        procs.stop(ctx.state_dir, NAME, timeout=15)
    with ctx.reporter.step(NAME, f"starting the support mailbox at {address(ctx)}"):
        record = procs.spawn(
            ctx.state_dir,
            NAME,
            [python_executable(), "-m", "services.cases.mailbox"],
            log=ctx.log(NAME),
            env={**svc.process_env(ctx, "cases"), **env(ctx)},
            cwd=REPO_ROOT,
            fingerprint=fingerprint,
        )
        wait_ready(
            NAME,
            lambda: healthy(ctx),
            deadline=30,
            record=record,
            log=ctx.log(NAME),
            what="answering SMTP",
            hint=f"see {ctx.log(NAME)}; `python -m deploy.local start mailbox` after fixing it",
        )


def stop(ctx: Ctx) -> bool:
    return procs.stop(ctx.state_dir, NAME, timeout=15)
