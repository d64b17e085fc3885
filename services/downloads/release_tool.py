"""`support-release`: the product team's tool that publishes a release.

    support-release publish --product OMFLOW --version 5.2.1 --kind update \\
        --title "OMFLOW 5.2.1" --notes notes.md \\
        --title-zh-TW "OMFLOW 5.2.1 更新" --notes-zh-TW notes.zh-TW.md FILE [FILE...]

Title and notes are English (the fallback); `--title-<lang>`/`--notes-<lang>` (zh-TW, zh-CN,
ja; notes as a file or the text) add the other languages, which readers then see in theirs.

It uploads each file to the object store at `releases/<product>/<version>/<filename>`
(skipping files whose SHA-256 is already stored there), then publishes `ReleasePublished`
straight to Kafka with an idempotent producer. It is the one producer with no database, so it
is idempotent by construction instead: the release id is uuid5(product:version:kind) and the
envelope id is derived from the event's content, so running the same publish twice changes
nothing, and a corrected title or file re-publishes the same release with new facts. The
release keeps the date of its first publish (kept in the object store, see release_dates)
unless `--published-on` says otherwise; a new release is dated today in the business calendar.

Settings come from the environment (`RELEASE_S3_ENDPOINT`, `RELEASE_S3_ACCESS_KEY`,
`RELEASE_S3_SECRET_KEY`, `RELEASE_S3_BUCKET`, `RELEASE_S3_SECURE`, `RELEASE_KAFKA_BOOTSTRAP`,
`RELEASE_BUSINESS_TIMEZONE`) or the matching flags.
"""

import argparse
import asyncio
import json
import re
import sys
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

import urllib3
from minio import Minio
from minio.error import S3Error
from pydantic import field_validator

from services.downloads.release_artifacts import LocalFile, artifact_of, hash_file, object_key, upload
from services.downloads.release_dates import publication_date, record_publication, recorded_publication
from shared import clock
from shared.config import KafkaClientSettings, settings_config
from shared.dates import RANGE_MESSAGE, in_business_range
from shared.events import Envelope, ReleasePublished
from shared.events.downloads import ReleaseText
from shared.filenames import is_safe_filename, safe_filename
from shared.i18n import LOCALES, Locale
from shared.kafka_security import KafkaSecurity
from shared.outbox import event_headers
from shared.relay import make_producer
from shared.topics import dlq_topic, ensure_topics

# Fixed forever: release ids computed by every past and future run must agree.
RELEASE_NAMESPACE = uuid.UUID("6f1c1f3e-3b7e-5d2a-9a57-1f0b8f6d2c41")
SOURCE = "release-tool"
KAFKA_TIMEOUT_SECONDS = 20.0
T = TypeVar("T")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")


class ReleaseToolSettings(KafkaClientSettings):
    model_config = settings_config("RELEASE_")

    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = "minioadmin"
    s3_secret_key: str = ""
    s3_bucket: str = "artifacts"
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    kafka_bootstrap: str = "127.0.0.1:9092"
    business_timezone: str = clock.DEFAULT_BUSINESS_TIMEZONE  # the services' calendar, for "today"

    @field_validator("business_timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        clock.business_zone_named(name)
        return name


class ToolError(Exception):
    """A failure the user can fix; the message says how."""


def release_id_of(product: str, version: str, kind: str) -> uuid.UUID:
    return uuid.uuid5(RELEASE_NAMESPACE, f"{product}:{version}:{kind}")


def envelope_id_of(event: ReleasePublished) -> uuid.UUID:
    """Same content → same id (consumers' inboxes drop the repeat); new facts → a new id."""
    content = json.dumps(event.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return uuid.uuid5(event.release_id, content)


# --- input ------------------------------------------------------------------------------------


def _name(kind: str):
    def parse(value: str) -> str:
        if not NAME_PATTERN.fullmatch(value):
            raise argparse.ArgumentTypeError(
                f"{kind} {value!r} must be 1-64 letters, digits, '.', '_', '+' or '-' (it is part of the storage path)"
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


# --- object store -----------------------------------------------------------------------------


def _minio(settings: ReleaseToolSettings) -> Minio:
    # Short timeouts and few retries: an unreachable store should fail in seconds, with advice.
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5, read=120),
        retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )
    return Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=settings.s3_secure,
        region=settings.s3_region,
        http_client=http,
    )


def _in_object_store(settings: ReleaseToolSettings, work: Callable[[Minio], T]) -> T:
    """Run `work` against the bucket, turning the store's failures into advice."""
    client = _minio(settings)
    try:
        if not client.bucket_exists(settings.s3_bucket):
            raise ToolError(
                f"bucket {settings.s3_bucket!r} does not exist at {settings.s3_endpoint}; "
                "create it or set RELEASE_S3_BUCKET"
            )
        return work(client)
    except S3Error as error:
        raise ToolError(
            f"the object store refused the request ({error.code}: {error.message}); "
            "check RELEASE_S3_ACCESS_KEY / RELEASE_S3_SECRET_KEY and the bucket"
        ) from error
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise ToolError(
            f"cannot reach the object store at {settings.s3_endpoint} ({type(error).__name__}); "
            "check RELEASE_S3_ENDPOINT / --s3-endpoint and that MinIO is running"
        ) from error


def _upload_all(settings: ReleaseToolSettings, product: str, version: str, files: list[LocalFile]) -> None:
    def send(client: Minio) -> None:
        for file in files:
            key = object_key(product, version, file.filename)
            sent = upload(client, settings.s3_bucket, key, file)
            print(
                f"  {'uploaded' if sent else 'already stored'}: {key} ({file.size} bytes, sha256 {file.sha256})"
            )

    _in_object_store(settings, send)


def _publication_date(settings: ReleaseToolSettings, release_id: uuid.UUID, requested: date | None) -> date:
    """The release's date, recorded before the event goes out so a retried publish agrees."""

    def settle(client: Minio) -> date:
        recorded = recorded_publication(client, settings.s3_bucket, release_id)
        published_on = publication_date(requested, recorded)
        if published_on != recorded:
            record_publication(client, settings.s3_bucket, release_id, published_on)
        if recorded is not None and published_on == recorded and requested is None:
            print(f"  keeping the first publish's date: {published_on}")
        return published_on

    return _in_object_store(settings, settle)


# --- Kafka ------------------------------------------------------------------------------------


async def _publish(
    bootstrap: str, event: ReleasePublished, security: KafkaSecurity
) -> Envelope[ReleasePublished]:
    envelope = Envelope[ReleasePublished](
        id=envelope_id_of(event), type=event.type, source=SOURCE, subject=event.subject, data=event
    )
    headers = [(key, value.encode()) for key, value in event_headers(envelope).items()]  # type: ignore[arg-type]
    await ensure_topics(bootstrap, (event.topic, dlq_topic(event.topic)), security=security)
    producer = make_producer(bootstrap, **security.client_options())
    await producer.start()
    try:
        await producer.send_and_wait(
            event.topic,
            value=envelope.model_dump_json().encode(),
            key=envelope.subject.encode(),
            headers=headers,
        )
    finally:
        await producer.stop()
    return envelope


def _publish_or_explain(
    bootstrap: str, event: ReleasePublished, security: KafkaSecurity
) -> Envelope[ReleasePublished]:
    try:
        return asyncio.run(asyncio.wait_for(_publish(bootstrap, event, security), KAFKA_TIMEOUT_SECONDS))
    except Exception as error:  # any failure here means the event did not go out
        raise ToolError(
            f"cannot publish to Kafka at {bootstrap} ({type(error).__name__}: {error}); "
            "check RELEASE_KAFKA_BOOTSTRAP / --kafka-bootstrap and that Kafka is running. "
            "The files are uploaded: re-running the same command only publishes."
        ) from error


# --- commands ---------------------------------------------------------------------------------


def publish(args: argparse.Namespace, settings: ReleaseToolSettings) -> None:
    translations = translations_of(args)  # refuse bad flags before uploading anything
    paths = _files(args.files)
    print(f"Hashing {len(paths)} file(s)…")
    files = [hash_file(path) for path in paths]
    print(f"Uploading to {settings.s3_endpoint}/{settings.s3_bucket}…")
    _upload_all(settings, args.product, args.version, files)
    release_id = release_id_of(args.product, args.version, args.kind)
    event = ReleasePublished(
        release_id=release_id,
        product=args.product,
        version=args.version,
        kind=args.kind,
        title=args.title,
        notes=_notes(args.notes),
        translations=translations,
        published_on=_publication_date(settings, release_id, args.published_on),
        artifacts=[artifact_of(f, object_key(args.product, args.version, f.filename)) for f in files],
    )
    print(f"Publishing {event.type} to {settings.kafka_bootstrap}…")
    envelope = _publish_or_explain(settings.kafka_bootstrap, event, settings.kafka_security)
    print(
        f"Published release {event.release_id} ({args.product} {args.version}, {args.kind}); event {envelope.id}"
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="support-release",
        description="Publish product releases to the support portal (upload files, then announce them).",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cmd = commands.add_parser(
        "publish",
        help="upload files and publish a ReleasePublished event (safe to re-run)",
        description="Upload FILEs to the object store and publish the release. Re-running the same "
        "command uploads nothing new and publishes an event consumers already have.",
    )
    cmd.add_argument("--product", required=True, type=_name("product"), help="product code, e.g. OMFLOW")
    cmd.add_argument("--version", required=True, type=_name("version"), help="version, e.g. 5.2.1")
    cmd.add_argument("--kind", required=True, choices=["product", "update", "document"])
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
    cmd.add_argument("--s3-endpoint", help="host:port of the object store (env RELEASE_S3_ENDPOINT)")
    cmd.add_argument("--s3-access-key", help="env RELEASE_S3_ACCESS_KEY")
    cmd.add_argument("--s3-secret-key", help="env RELEASE_S3_SECRET_KEY (prefer the variable)")
    cmd.add_argument("--s3-bucket", help="env RELEASE_S3_BUCKET (default artifacts)")
    cmd.add_argument("--kafka-bootstrap", help="host:port of Kafka (env RELEASE_KAFKA_BOOTSTRAP)")
    return root


def _settings(args: argparse.Namespace) -> ReleaseToolSettings:
    overrides = {
        name: getattr(args, name)
        for name in ("s3_endpoint", "s3_access_key", "s3_secret_key", "s3_bucket", "kafka_bootstrap")
        if getattr(args, name, None)
    }
    return ReleaseToolSettings(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = _settings(args)
        clock.use_business_timezone(settings.business_timezone)
        publish(args, settings)
    except ToolError as error:
        print(f"support-release: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("support-release: interrupted; re-run the same command to finish", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
