"""`support-release`: the product team's command line for releases, a client of the release API.

    support-release publish --product OMFLOW --version 5.2.1 --kind update \\
        --title "OMFLOW 5.2.1" --notes notes.md \\
        --title-zh-TW "OMFLOW 5.2.1 更新" --notes-zh-TW notes.zh-TW.md FILE [FILE...]
    support-release withdraw --product OMFLOW --version 5.2.1 --kind update --reason "…"

It does what the portal's Releases screen does, through the same API (`/api/downloads/admin/
releases`): it creates the release (or finds it: the id is uuid5(product:version:kind)), uploads
each file in presigned parts straight to the object store, resuming an unfinished upload of the
same file and skipping files the release already holds, lets the service verify each SHA-256,
sets title and notes, and publishes. The service sends `ReleasePublished` through its outbox
once per set of facts, so running the same publish twice changes nothing, and a corrected title
or file re-publishes the same release with the new facts. A release keeps the date of its first
publish unless `--published-on` says otherwise.

Title and notes are English (the fallback); `--title-<lang>`/`--notes-<lang>` (zh-TW, zh-CN,
ja; notes as a file or the text) add the other languages.

Where: `--portal`/`RELEASE_PORTAL_URL`; without either, the local stack that `make run` started
(the gateway named in `.run/stack.json`, or `--stack FILE`). Who: `RELEASE_EMAIL` and
`RELEASE_PASSWORD` of an account with the `release` role (or an access token in `RELEASE_TOKEN`).
"""

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from pydantic_settings import BaseSettings

from services.downloads.release_artifacts import hash_file
from services.downloads.release_client import ApiRefusal, Credentials, ReleaseApi
from services.downloads.release_ids import NAME_RULE, is_release_name, release_id_of
from shared.config import settings_config
from shared.dates import RANGE_MESSAGE, in_business_range
from shared.events.downloads import ReleaseText
from shared.filenames import is_safe_filename, safe_filename
from shared.i18n import LOCALES, Locale

LOCAL_STACK = Path(".run") / "stack.json"
REPOSITORY = Path(__file__).resolve().parents[2]

__all__ = ["main", "parser", "release_id_of", "translations_of"]


class ReleaseToolSettings(BaseSettings):
    model_config = settings_config("RELEASE_")

    portal_url: str = ""
    # The ConfigMap key every service reads (PUBLIC_URL), taken when RELEASE_PORTAL_URL is unset.
    public_url: str = ""
    email: str = ""
    password: str = ""
    token: str = ""


class ToolError(Exception):
    """A failure the user can fix; the message says how."""


# --- input ------------------------------------------------------------------------------------


def _name(kind: str):
    def parse(value: str) -> str:
        if not is_release_name(value):
            raise argparse.ArgumentTypeError(
                f"{kind} {value!r} must be {NAME_RULE} (it is part of the storage path)"
            )
        return value

    return parse


def _day(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; use YYYY-MM-DD") from error
    if not in_business_range(day):
        raise argparse.ArgumentTypeError(f"{value!r} {RANGE_MESSAGE}")
    return day


def _notes(value: str | None) -> str:
    """--notes takes a file path or the text itself."""
    if value is None:
        return ""
    path = Path(value)
    if len(value) < 4096 and path.is_file():
        return path.read_text(encoding="utf-8")
    return value


# Languages other than English, whose title and notes have their own flags (--title-ja, …).
TRANSLATED = tuple(locale for locale in LOCALES if locale != "en")


def _flag(locale: str) -> str:
    return locale.replace("-", "_")


def translations_of(args: argparse.Namespace) -> dict[Locale, ReleaseText]:
    """Title and notes per language from --title-<lang>/--notes-<lang>; English is --title/--notes.
    Notes without a title in that language are refused: readers would see a mixed release."""
    found: dict[Locale, ReleaseText] = {}
    for locale in TRANSLATED:
        title = getattr(args, f"title_{_flag(locale)}", None)
        notes = _notes(getattr(args, f"notes_{_flag(locale)}", None))
        if notes and not title:
            raise SystemExit(f"--notes-{locale} needs --title-{locale} as well")
        if title:
            found[locale] = ReleaseText(title=title, notes=notes)
    return found


def _files(paths: Sequence[str]) -> list[Path]:
    files = [Path(p) for p in paths]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise ToolError(f"not a readable file: {', '.join(missing)} — check the path(s)")
    names = [p.name for p in files]
    unsafe = [n for n in names if not is_safe_filename(n)]
    if unsafe:
        # Customers save what we name: a name their file system would rewrite is renamed here.
        suggestions = ", ".join(f"{n!r} (e.g. {safe_filename(n)!r})" for n in unsafe)
        raise ToolError(f"not a portable file name: {suggestions}; rename the file(s) and try again")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ToolError(
            f"two files share the name {', '.join(duplicates)}: a release holds one file per name"
        )
    return files


# --- where and who ----------------------------------------------------------------------------


def local_portal(stack_file: Path | None) -> str | None:
    """The gateway of the local stack `make run` started, from its stack.json."""
    candidates = [stack_file] if stack_file else [Path.cwd() / LOCAL_STACK, REPOSITORY / LOCAL_STACK]
    for candidate in candidates:
        if candidate.is_file():
            url: str = json.loads(candidate.read_text())["gateway"]["url"]
            return url
    if stack_file:
        raise ToolError(f"no stack file at {stack_file}; start the stack with `make run`")
    return None


def _api(args: argparse.Namespace, settings: ReleaseToolSettings) -> ReleaseApi:
    portal = args.portal or settings.portal_url or settings.public_url or local_portal(args.stack)
    if not portal:
        raise ToolError(
            "no portal to talk to: set RELEASE_PORTAL_URL (or --portal), or start the local stack with `make run`"
        )
    credentials = Credentials(settings.email or None, settings.password or None, settings.token or None)
    if not credentials.token and not (credentials.email and credentials.password):
        raise ToolError(
            "who publishes? set RELEASE_EMAIL and RELEASE_PASSWORD of an account with the release role "
            "(or RELEASE_TOKEN); `make run` prints them for the local stack"
        )
    return ReleaseApi(portal, credentials)


# --- commands ---------------------------------------------------------------------------------


def publish(args: argparse.Namespace, api: ReleaseApi) -> None:
    translations = translations_of(args)  # refuse bad flags before uploading anything
    paths = _files(args.files)
    print(f"Hashing {len(paths)} file(s)…")
    files = [hash_file(path) for path in paths]
    texts: dict[str, Any] = {
        "channel": args.channel,
        "title": args.title,
        "notes": _notes(args.notes),
        "translations": {locale: text.model_dump() for locale, text in translations.items()},
    }
    release = api.create(product=args.product, version=args.version, kind=args.kind, **texts)
    release_id = release["release_id"]
    print(f"Release {release_id} ({args.product} {args.version}, {args.kind}, {release['state']})")
    print(f"Uploading to {api.portal_url}…")
    for file in files:
        sent = api.upload(release, file)
        print(f"  {sent}: {file.filename} ({file.size} bytes, sha256 {file.sha256})")
    # The release holds exactly the files given: others left from an earlier publish go.
    given = {file.filename for file in files}
    for artifact in release["artifacts"]:
        if artifact["filename"] not in given:
            api.remove_file(release_id, artifact["filename"])
            print(f"  removed: {artifact['filename']}")
    api.edit(release_id, **texts)
    outcome = api.publish(release_id, args.published_on.isoformat() if args.published_on else None)
    published = outcome["release"]
    said = (
        "announced" if outcome["announced"] else "already published with these facts; nothing new announced"
    )
    print(
        f"Published release {release_id} ({args.product} {args.version}, {args.kind}) "
        f"on {published['published_on']}: {said}"
    )


def withdraw(args: argparse.Namespace, api: ReleaseApi) -> None:
    release_id = str(release_id_of(args.product, args.version, args.kind))
    release = api.withdraw(release_id, args.reason)
    print(f"Withdrew release {release_id} ({args.product} {args.version}, {args.kind}): {release['state']}")


def _release_flags(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--product", required=True, type=_name("product"), help="product code, e.g. OMFLOW")
    cmd.add_argument("--version", required=True, type=_name("version"), help="version, e.g. 5.2.1")
    cmd.add_argument("--kind", required=True, choices=["product", "update", "document"])


def _connection_flags(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--portal", help="the portal's address (env RELEASE_PORTAL_URL; default: the local stack)"
    )
    cmd.add_argument("--stack", type=Path, help=f"the local stack's file (default {LOCAL_STACK})")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="support-release",
        description="Publish and withdraw product releases on the support portal.",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cmd = commands.add_parser(
        "publish",
        help="upload files and publish the release (safe to re-run)",
        description="Upload FILEs and publish the release. Re-running the same command uploads "
        "nothing new and announces nothing new; changed texts or files publish a correction.",
    )
    _release_flags(cmd)
    cmd.add_argument("--channel", choices=["stable", "preview"], default="stable", help="default stable")
    cmd.add_argument("--title", required=True, help="title customers see (English, the fallback)")
    cmd.add_argument("--notes", help="release notes (English): a file path or the text itself")
    for locale in TRANSLATED:
        cmd.add_argument(f"--title-{locale}", dest=f"title_{_flag(locale)}", help=f"title in {locale}")
        cmd.add_argument(
            f"--notes-{locale}", dest=f"notes_{_flag(locale)}", help=f"notes in {locale}: a file or the text"
        )
    cmd.add_argument(
        "--published-on",
        type=_day,
        help="YYYY-MM-DD (default: the date of the release's first publish; for a new release, "
        "today in the business time zone)",
    )
    cmd.add_argument("files", nargs="+", metavar="FILE", help="files of the release")
    _connection_flags(cmd)
    gone = commands.add_parser(
        "withdraw",
        help="take a published release back for good",
        description="Withdraw a published release: it leaves every catalog and is never granted or announced again.",
    )
    _release_flags(gone)
    gone.add_argument("--reason", required=True, help="why (kept with the release and sent in the event)")
    _connection_flags(gone)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        api = _api(args, ReleaseToolSettings())
        try:
            (publish if args.command == "publish" else withdraw)(args, api)
        finally:
            api.close()
    except ToolError as error:
        print(f"support-release: error: {error}", file=sys.stderr)
        return 1
    except ApiRefusal as error:
        print(f"support-release: the portal refused: {error}", file=sys.stderr)
        return 1
    except httpx.TransportError as error:
        print(
            f"support-release: error: cannot reach {error.request.url.host}:{error.request.url.port} "
            f"({type(error).__name__}); check RELEASE_PORTAL_URL / --portal and that the stack runs. "
            "Re-running the same command resumes where it stopped.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("support-release: interrupted; re-run the same command to resume", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
