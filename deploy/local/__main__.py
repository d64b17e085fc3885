"""`python -m deploy.local up|down|status|logs|start|stop` — the native local stack."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import images, stack
from .paths import COMPONENTS, default_state_dir, resolve_state_dir
from .report import FAIL, OK, Reporter, StackError, tail_lines


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--state",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"state dir (ports, data, logs, pids); default {default_state_dir()}",
    )
    parser = argparse.ArgumentParser(
        prog="python -m deploy.local",
        description=(
            "Install, start, check and stop the real local stack without Docker: PostgreSQL, "
            "Kafka (KRaft), MinIO, Mailpit, the five services and the nginx gateway. "
            "Downloads and builds are cached in ${XDG_CACHE_HOME:-~/.cache}/support-portal."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = sub.add_parser(
        "up",
        parents=[common],
        help="install what is missing, start everything, wait until ready",
        description="Idempotent: a second `up` reuses running processes, cached builds and ports.",
    )
    up.add_argument("--infra-only", action="store_true", help="only PostgreSQL, Kafka, MinIO and Mailpit")
    up.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    up.add_argument(
        "--browser",
        action="store_true",
        help="also install what the browser tests drive (Chromium, its driver, CJK fonts) if missing",
    )

    down = sub.add_parser("down", parents=[common], help="stop everything this tool started")
    down.add_argument("--purge", action="store_true", help="also delete the state dir (all data)")

    st = sub.add_parser("status", parents=[common], help="show what runs where")
    st.add_argument("--json", action="store_true", help="machine-readable output")

    logs = sub.add_parser("logs", parents=[common], help="list logs, or show one component's log")
    logs.add_argument("name", nargs="?", help="component (e.g. kafka, identity, gateway, install)")
    logs.add_argument("-n", "--lines", type=int, default=100, help="lines to show (default 100)")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")

    backup = sub.add_parser(
        "backup",
        parents=[common],
        help="dump every service database and the artifact bucket of a running stack",
        description="Closes the gateway while it waits for a consistent cut (see deploy/local/backup.py).",
    )
    backup.add_argument("target", type=Path, help="new directory to write the backup into")
    restore = sub.add_parser(
        "restore",
        parents=[common],
        help="load a backup into a stack (use a fresh --state) and start it",
        description="Replaces the stack's databases and adds the objects; the services are restarted.",
    )
    restore.add_argument("source", type=Path, help="a directory written by `backup`")

    sub.add_parser(
        "images",
        parents=[common],
        help="build the service and gateway images with podman (stand-in bases where pulls fail)",
        description="Installs podman and debootstrap if missing; see deploy/local/podman.py.",
    )

    for verb, text in (("start", "start one component and wait until ready"), ("stop", "stop one component")):
        p = sub.add_parser(verb, parents=[common], help=text)
        p.add_argument("component", choices=COMPONENTS)
    return parser


def _status(state: Path | None, as_json: bool) -> int:
    result = stack.status(state)
    if as_json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"state {resolve_state_dir(state)}")
    for name, entry in result.items():
        if entry["running"]:
            mark = OK if entry["healthy"] else "?"
            word = "running" if entry["healthy"] else "running, not answering"
            print(f"  {mark} {name:<10} {word:<24} pid {entry['pid']:<8} {entry['address'] or ''}")
        else:
            print(f"  - {name:<10} stopped")
    return 0


def _logs(state: Path | None, name: str | None, lines: int, follow: bool) -> int:
    log_dir = resolve_state_dir(state) / "logs"
    if name is None:
        files = sorted(log_dir.glob("*.log")) if log_dir.exists() else []
        if not files:
            print(f"no logs in {log_dir}")
        for path in files:
            print(f"{path.stat().st_size:>10}  {path}")
        return 0
    path = log_dir / f"{name}.log"
    if not path.exists():
        print(f"{FAIL} no log {path}", file=sys.stderr)
        return 1
    sys.stdout.write(tail_lines(path, lines))
    if follow:
        with path.open() as fh:
            fh.seek(0, 2)
            try:
                while True:
                    line = fh.readline()
                    if line:
                        sys.stdout.write(line)
                        sys.stdout.flush()
                    else:
                        time.sleep(0.3)
            except KeyboardInterrupt:
                return 0
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "up":
            if args.browser:
                stack.ensure_browser(args.state, quiet=args.quiet)
            stack.up(args.state, services=not args.infra_only, quiet=args.quiet)
        elif args.command == "down":
            stack.down(args.state, purge=args.purge)
        elif args.command == "status":
            return _status(args.state, args.json)
        elif args.command == "logs":
            return _logs(args.state, args.name, args.lines, args.follow)
        elif args.command == "start":
            begin = time.monotonic()
            stack.start(args.component, args.state, quiet=False)
            print(f"[{args.component}] ready {OK} {time.monotonic() - begin:.1f}s")
        elif args.command == "backup":
            manifest = stack.backup(args.state, args.target)
            print(
                f"backup {OK} {args.target}: {len(manifest['databases'])} databases, {manifest['objects']} objects"
            )
        elif args.command == "restore":
            stack.restore(args.state, args.source)
            print(f"restore {OK} from {args.source}")
        elif args.command == "images":
            state_dir = resolve_state_dir(args.state)
            built = images.build_all(Reporter(), state_dir / "logs" / "images.log")
            print(f"images {OK} {built.service} {built.gateway} in {built.seconds:.0f}s")
        elif args.command == "stop":
            was = stack.stop(args.component, args.state)
            print(f"[{args.component}] {'stopped' if was else 'was not running'}")
    except StackError as exc:
        print(exc.details(), file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; processes already started keep running (`down` stops them)", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `status | head` ends quietly
    sys.exit(main())
