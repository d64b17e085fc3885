"""Mailpit (SMTP sink + inbox UI/API), built from source with its web UI embedded.

The Go module ships without ``server/ui/dist`` (upstream builds it with npm at release time), so
``go install`` alone gives a blank inbox page. The recipe, run once and cached:

1. copy the module source (``go mod download``) to ``<cache>/src/mailpit-<version>``;
2. ``npm ci`` against upstream's lock file; if the npm registry in use lacks a pinned version,
   retry with :data:`NPM_PINS` written into the *copied* package.json (``npm install`` keeps the
   lock file for everything else);
3. ``npm run build`` (esbuild + Vue + sass) writes ``server/ui/dist``;
4. ``go build`` embeds it. If npm still fails, fall back to a UI-less ``go install`` build.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
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
# Bump when the build recipe changes: a cached UI-less build from an older recipe is retried once.
RECIPE = 2
# Exact versions for step 2, for npm registries that lack some of v1.33.1's lock file
# (rapidoc 12.x, sass-embedded 1.108.1). rapidoc 9.3.8 is what Mailpit up to v1.30 shipped; the
# API docs page (docs.js: `import "rapidoc"`) renders with it.
NPM_PINS: dict[str, dict[str, str]] = {
    "dependencies": {"rapidoc": "9.3.8"},
    "overrides": {"sass-embedded": "1.108.2"},
}
# Install scripts are not needed (esbuild and sass-embedded ship their binaries as optional
# platform packages) and some would try to compile native code or phone home.
NPM_FLAGS = ("--no-audit", "--no-fund", "--ignore-scripts")
NPM_ENV = {"npm_config_update_notifier": "false"}
NPM_TIMEOUT = 20 * 60
UI_ASSETS = ("app.js", "app.css", "docs.js")
UI_MISSING = (
    "built without its web UI (npm could not build the assets): the inbox page is blank, "
    "but the API at /api/v1/messages works. Delete {stamp} to retry the UI build."
)


def binary(ctx: Ctx) -> Path:
    return ctx.cache / "bin" / NAME


def _stamp(ctx: Ctx) -> Path:
    return ctx.cache / "bin" / f"{NAME}.json"


def _src(ctx: Ctx) -> Path:
    return ctx.cache / "src" / f"mailpit-{VERSION}"


def _build_info(ctx: Ctx) -> dict[str, object]:
    try:
        data = json.loads(_stamp(ctx).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def ui_available(ctx: Ctx) -> bool:
    return bool(_build_info(ctx).get("ui"))


def _is_current(ctx: Ctx) -> bool:
    """A cached build of VERSION exists: with the UI, or without it from the current recipe."""
    info = _build_info(ctx)
    if not binary(ctx).exists() or info.get("version") != VERSION:
        return False
    return bool(info.get("ui")) or info.get("recipe") == RECIPE


@contextmanager
def _build_lock(ctx: Ctx) -> Iterator[None]:
    """Stacks with different state dirs share the cache: one build at a time."""
    lock = ctx.cache / "bin" / f".{NAME}.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_installed(ctx: Ctx) -> None:
    bin_dir = ctx.cache / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    if not _is_current(ctx):
        with _build_lock(ctx):
            if not _is_current(ctx):  # another stack may have built it while we waited
                _install(ctx, bin_dir)
                return
    if not ui_available(ctx):
        ctx.reporter.info(NAME, "note: " + UI_MISSING.format(stamp=_stamp(ctx)))


def _install(ctx: Ctx, bin_dir: Path) -> None:
    log = ctx.log("install")
    try:
        _build_with_ui(ctx, log)
        ui = True
    except StackError as exc:
        ctx.reporter.warn(NAME, f"web UI build failed ({exc.message}); falling back to plain go install")
        go_install(ctx.reporter, NAME, MODULE, VERSION, bin_dir, log)
        ui = False
    _stamp(ctx).write_text(json.dumps({"version": VERSION, "ui": ui, "recipe": RECIPE}) + "\n")
    if not ui:
        ctx.reporter.warn(NAME, UI_MISSING.format(stamp=_stamp(ctx)))


def _build_with_ui(ctx: Ctx, log: Path) -> None:
    go = require_tool(NAME, "go", "install Go 1.24+ and put it on PATH")
    npm = shutil.which("npm")
    if npm is None:
        raise StackError(NAME, "npm is not installed")
    src = _src(ctx)
    if not (src / "go.mod").exists():
        _copy_module_source(ctx, go, src, log)
    if not _ui_built(src):
        _build_ui(ctx, npm, src, log)
    with ctx.reporter.step(NAME, f"building mailpit {VERSION} with go build (UI embedded; minutes, once)"):
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


def _copy_module_source(ctx: Ctx, go: str, src: Path, log: Path) -> None:
    with ctx.reporter.step(NAME, f"downloading mailpit {VERSION} source (go mod download)"):
        src.parent.mkdir(parents=True, exist_ok=True)
        run(NAME, [go, "mod", "download", f"{MODULE}@{VERSION}"], log=log, cwd=src.parent, hint=GO_HINT)
        module_src = Path(go_env("GOMODCACHE")) / f"{MODULE}@{VERSION}"
        tmp = src.with_name(src.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(module_src, tmp, symlinks=True)
        for path in [tmp, *tmp.rglob("*")]:  # the module cache is read-only
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
        tmp.rename(src)


def _ui_built(src: Path) -> bool:
    """All entry points of esbuild.config.mjs exist and are real (non-trivial) bundles."""
    dist = src / "server" / "ui" / "dist"
    try:
        return all((dist / name).stat().st_size > 10_000 for name in UI_ASSETS)
    except OSError:
        return False


def _build_ui(ctx: Ctx, npm: str, src: Path, log: Path) -> None:
    try:
        with ctx.reporter.step(NAME, "installing the web UI's npm packages (npm ci)"):
            run(NAME, [npm, "ci", *NPM_FLAGS], log=log, cwd=src, env=NPM_ENV, timeout=NPM_TIMEOUT)
    except StackError:
        # The registry in use may lack versions pinned in upstream's lock file.
        pins = ", ".join(f"{k}@{v}" for section in NPM_PINS.values() for k, v in section.items())
        with ctx.reporter.step(NAME, f"npm ci failed; retrying npm install with {pins}"):
            _apply_npm_pins(src / "package.json")
            run(NAME, [npm, "install", *NPM_FLAGS], log=log, cwd=src, env=NPM_ENV, timeout=NPM_TIMEOUT)
    with ctx.reporter.step(NAME, "building the web UI (npm run build)"):
        shutil.rmtree(src / "server" / "ui" / "dist", ignore_errors=True)
        run(NAME, [npm, "run", "build"], log=log, cwd=src, env=NPM_ENV, timeout=NPM_TIMEOUT)
        if not _ui_built(src):
            raise StackError(
                NAME, "npm run build did not produce server/ui/dist/" + ", ".join(UI_ASSETS), log=log
            )


def _apply_npm_pins(package_json: Path) -> None:
    """Write NPM_PINS into our copy of upstream's package.json (idempotent)."""
    data = json.loads(package_json.read_text())
    for section, pins in NPM_PINS.items():
        data.setdefault(section, {}).update(pins)
    package_json.write_text(json.dumps(data, indent=2) + "\n")


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
