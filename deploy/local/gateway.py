"""nginx from Debian packages, run as our own process from deploy/gateway/nginx.conf.template."""

from __future__ import annotations

import os
import re
import shutil
import signal
import string
from pathlib import Path

from . import procs
from .context import Ctx
from .health import http_ok, wait_ready
from .install import apt_install, run
from .paths import GATEWAY_TEMPLATE, SERVICES, WEB_ROOT
from .ports import HOST
from .report import StackError

NAME = "gateway"
NGINX = Path("/usr/sbin/nginx")
MIME_TYPES = Path("/etc/nginx/mime.types")
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
# The one address whose X-Forwarded-For the local gateway believes: the stand-in for an ingress.
# Test clients that act as many customers connect from it; anyone else on the machine
# (127.0.0.1 and the rest of 127.0.0.0/8) is known by its connection address, whatever it writes.
TRUSTED_PROXY = "127.0.0.2"


class _Template(string.Template):
    """Only ${UPPER_CASE}: nginx's own $lowercase variables must pass through untouched."""

    flags = re.RegexFlag(0)
    idpattern = r"[A-Z][A-Z0-9_]*"


def render(template: str, values: dict[str, str]) -> str:
    """Render like envsubst would, but refuse to leave any placeholder unfilled."""
    missing = sorted(set(PLACEHOLDER.findall(template)) - set(values))
    if missing:
        raise StackError(NAME, f"no value for template placeholder(s): {', '.join(missing)}")
    return _Template(template).safe_substitute(values)


def ensure_installed(ctx: Ctx) -> None:
    if NGINX.exists():
        return
    apt_install(ctx.reporter, NAME, ["nginx"], ctx.log("install"))
    if not NGINX.exists():
        raise StackError(NAME, f"{NGINX} missing after installing the nginx package")


def prefix(ctx: Ctx) -> Path:
    return ctx.state_dir / "nginx"


def url(ctx: Ctx) -> str:
    return f"http://{HOST}:{ctx.ports['gateway']}"


def values(ctx: Ctx) -> dict[str, str]:
    temp = prefix(ctx) / "temp"
    return {
        "GATEWAY_LISTEN": f"{HOST}:{ctx.ports['gateway']}",
        "WEB_ROOT": str(WEB_ROOT),
        "TRUSTED_PROXY_CIDR": TRUSTED_PROXY,
        # Case attachments go from the browser straight to MinIO (presigned POST).
        "STORAGE_ORIGIN": f"http://{HOST}:{ctx.ports['minio']}",
        # As root the workers run as root too, so they can read a checkout under /root.
        "NGINX_USER": "root" if os.geteuid() == 0 else _current_user(),
        # The machine's cores are the gateway's: no CPU limit applies to the local nginx.
        "NGINX_WORKER_PROCESSES": "auto",
        "NGINX_PID_FILE": str(prefix(ctx) / "nginx.pid"),
        "NGINX_TEMP_DIR": str(temp),
        "NGINX_ACCESS_LOG": str(ctx.log("gateway-access")),
        "NGINX_ERROR_LOG": str(ctx.log("gateway")),
        **{f"{name.upper()}_UPSTREAM": f"{HOST}:{ctx.ports[name]}" for name in SERVICES},
    }


def _current_user() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def write_config(ctx: Ctx) -> Path:
    pfx = prefix(ctx)
    conf_dir = pfx / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (pfx / "temp" / sub).mkdir(parents=True, exist_ok=True)
    ctx.logs.mkdir(parents=True, exist_ok=True)
    if MIME_TYPES.exists():
        shutil.copyfile(MIME_TYPES, conf_dir / "mime.types")
    else:
        (conf_dir / "mime.types").write_text(
            "types {\n  text/html html;\n  text/css css;\n  application/javascript js mjs;\n"
            "  application/json json;\n  image/svg+xml svg;\n  image/png png;\n}\n"
        )
    conf = conf_dir / "nginx.conf"
    conf.write_text(render(GATEWAY_TEMPLATE.read_text(), values(ctx)))
    return conf


def _argv(ctx: Ctx, conf: Path, *extra: str) -> list[str]:
    return [str(NGINX), "-p", str(prefix(ctx)), "-c", str(conf), "-e", str(ctx.log("gateway")), *extra]


def healthy(ctx: Ctx) -> bool:
    return http_ok(f"{url(ctx)}/healthz")


def start(ctx: Ctx) -> None:
    if procs.running(ctx.state_dir, NAME) is not None and healthy(ctx):
        # Re-render and reload: cheap, and picks up template edits.
        conf = write_config(ctx)
        run(NAME, _argv(ctx, conf, "-t", "-q"), log=ctx.log("gateway"), hint="fix the nginx template")
        record = procs.running(ctx.state_dir, NAME)
        if record is not None:
            os.kill(record.pid, signal.SIGHUP)
        ctx.reporter.info(NAME, f"already running at {url(ctx)} (config reloaded) ✓")
        return
    with ctx.reporter.step(NAME, f"starting nginx at {url(ctx)}"):
        conf = write_config(ctx)
        run(
            NAME,
            _argv(ctx, conf, "-t", "-q"),
            log=ctx.log("gateway"),
            hint=f"nginx rejected the rendered config {conf}; fix {GATEWAY_TEMPLATE}",
        )
        record = procs.spawn(
            ctx.state_dir,
            NAME,
            _argv(ctx, conf, "-g", "daemon off;"),
            log=ctx.log("gateway"),
            stop_signal=signal.SIGQUIT,  # graceful: finish in-flight requests
        )
        wait_ready(NAME, lambda: healthy(ctx), deadline=20, record=record, log=ctx.log("gateway"))


def stop(ctx: Ctx) -> bool:
    return procs.stop(ctx.state_dir, NAME, timeout=15)
