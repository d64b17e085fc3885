"""Mailpit (SMTP sink + inbox UI/API), built from source with its web UI embedded."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

from . import procs
from .context import Ctx
from .health import http_ok, wait_ready
from .install import GO_HINT, go_env, go_install, require_tool, run
from .ports import HOST
from .report import StackError

NAME = "mailpit"
MODULE = "github.com/axllent/mailpit"
VERSION = "v1.33.1"
UI_MISSING = (
    "built without its web UI (npm could not build the assets): the inbox page is blank, "
    "but the API at /api/v1/messages works. Delete {stamp} to retry the UI build."
)


def binary(ctx: Ctx) -> Path:
    return ctx.cache / "bin" / NAME


def _stamp(ctx: Ctx) -> Path:
    return ctx.cache / "bin" / f"{NAME}.json"


def _build_info(ctx: Ctx) -> dict[str, object]:
    try:
        data = json.loads(_stamp(ctx).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def ui_available(ctx: Ctx) -> bool:
    return bool(_build_info(ctx).get("ui"))


def ensure_installed(ctx: Ctx) -> None:
    info = _build_info(ctx)
    if binary(ctx).exists() and info.get("version") == VERSION:
        if not info.get("ui"):
            ctx.reporter.info(NAME, "note: " + UI_MISSING.format(stamp=_stamp(ctx)))
        return
    bin_dir = ctx.cache / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    log = ctx.log("install")
    try:
        _build_with_ui(ctx, log)
        ui = True
    except StackError as exc:
        ctx.reporter.warn(NAME, f"web UI build failed ({exc.message}); falling back to plain go install")
        go_install(ctx.reporter, NAME, MODULE, VERSION, bin_dir, log)
        ui = False
    _stamp(ctx).write_text(json.dumps({"version": VERSION, "ui": ui}) + "\n")
    if not ui:
        ctx.reporter.warn(NAME, UI_MISSING.format(stamp=_stamp(ctx)))


def _build_with_ui(ctx: Ctx, log: Path) -> None:
    """The Go module ships without server/ui/dist (built by npm upstream), so `go install` alone
    gives a blank inbox. Build the assets from the module source, then `go build` embeds them."""
    go = require_tool(NAME, "go", "install Go 1.24+ and put it on PATH")
    npm = shutil.which("npm")
    if npm is None:
        raise StackError(NAME, "npm is not installed")
    src = ctx.cache / "src" / f"mailpit-{VERSION}"
    if not (src / "go.mod").exists():
        with ctx.reporter.step(NAME, f"downloading mailpit {VERSION} source (go mod download)"):
            run(NAME, [go, "mod", "download", f"{MODULE}@{VERSION}"], log=log, cwd=ctx.cache, hint=GO_HINT)
            module_src = Path(go_env("GOMODCACHE")) / f"{MODULE}@{VERSION}"
            tmp = src.with_name(src.name + ".partial")
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(module_src, tmp, symlinks=True)
            for path in [tmp, *tmp.rglob("*")]:  # the module cache is read-only
                if not path.is_symlink():
                    path.chmod(path.stat().st_mode | stat.S_IWUSR)
            tmp.rename(src)
    if not (src / "server" / "ui" / "dist" / "app.js").exists():
        with ctx.reporter.step(NAME, "building the web UI with npm"):
            npm_log = ctx.log("install")
            try:
                run(NAME, [npm, "ci", "--no-audit", "--no-fund"], log=npm_log, cwd=src)
            except StackError:
                # The lock file may pin versions the npm registry in use does not have.
                run(NAME, [npm, "install", "--no-audit", "--no-fund"], log=npm_log, cwd=src)
            run(NAME, [npm, "run", "build"], log=npm_log, cwd=src)
            if not (src / "server" / "ui" / "dist" / "app.js").exists():
                raise StackError(NAME, "npm run build produced no server/ui/dist/app.js", log=npm_log)
    with ctx.reporter.step(NAME, f"building mailpit {VERSION} with go build (UI embedded)"):
        out = binary(ctx).with_name(f".{NAME}.partial")
        run(
            NAME,
            [
                go,
                "build",
                "-trimpath",
                "-ldflags",
                f"-s -w -X {MODULE}/config.Version={VERSION}",
                "-o",
                str(out),
                ".",
            ],
            log=log,
            cwd=src,
            env={"CGO_ENABLED": "0"},
            hint=GO_HINT,
        )
        out.replace(binary(ctx))


def http_url(ctx: Ctx) -> str:
    return f"http://{HOST}:{ctx.ports['mailpit_http']}"


def healthy(ctx: Ctx) -> bool:
    return http_ok(f"{http_url(ctx)}/readyz")


def start(ctx: Ctx) -> None:
    smtp = f"{HOST}:{ctx.ports['mailpit_smtp']}"
    if procs.running(ctx.state_dir, NAME) is not None and healthy(ctx):
        ctx.reporter.info(NAME, f"already running: SMTP {smtp}, UI {http_url(ctx)} ✓")
        return
    with ctx.reporter.step(NAME, f"starting: SMTP {smtp}, UI {http_url(ctx)}"):
        data = ctx.state_dir / "mailpit"
        data.mkdir(parents=True, exist_ok=True)
        record = procs.spawn(
            ctx.state_dir,
            NAME,
            [
                str(binary(ctx)),
                "--smtp",
                smtp,
                "--listen",
                f"{HOST}:{ctx.ports['mailpit_http']}",
                "--database",
                str(data / "mailpit.db"),
                "--max",
                "5000",
                "--smtp-auth-accept-any",
                "--smtp-auth-allow-insecure",
                "--disable-version-check",
            ],
            log=ctx.log(NAME),
        )
        wait_ready(NAME, lambda: healthy(ctx), deadline=30, record=record, log=ctx.log(NAME))


def stop(ctx: Ctx) -> bool:
    return procs.stop(ctx.state_dir, NAME, timeout=15)
