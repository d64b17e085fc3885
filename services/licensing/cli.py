"""Back-office command line (`support-admin`): bulk license import.

    python -m services.licensing.cli licenses import FILE [--output OUT]

Validates every row first and imports nothing if one is bad (each error printed with its line
number). The issued serials and registration numbers are written once, to OUT (mode 0600);
the database keeps only keyed hashes of the registration numbers.
"""

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path
from uuid import UUID

from services.licensing.config import Settings
from services.licensing.csv_import import issued_csv
from services.licensing.service import staff_issuance
from shared import clock
from shared.auth import Principal
from shared.db import make_engine, make_sessionmaker, transaction
from shared.http.problems import Problem
from shared.i18n import DEFAULT_LOCALE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="support-admin", description="Support Portal back-office tasks.")
    groups = parser.add_subparsers(dest="group", required=True, metavar="GROUP")
    licenses = groups.add_parser("licenses", help="license issuance").add_subparsers(
        dest="command", required=True, metavar="COMMAND"
    )
    importer = licenses.add_parser(
        "import",
        help="import licenses from a CSV file (all rows or none)",
        description="Columns: product,edition,seats,purchased_on,warranty_ends[,customer_ref]; UTF-8; ISO dates.",
    )
    importer.add_argument("file", type=Path, help="the CSV file to import")
    importer.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the issued serials and registration numbers (default: FILE.issued.csv; "
        "must not exist; created with mode 0600)",
    )
    importer.add_argument(
        "--actor", type=UUID, default=None, help="account id recorded in the audit (default: the system)"
    )
    return parser


async def _import(settings: Settings, data: bytes, source: Path, output: Path, actor: UUID | None) -> int:
    if len(data) > settings.import_max_bytes:
        raise SystemExit(f"error: {source} is larger than {settings.import_max_bytes} bytes; split it")
    # Create the output first (exclusive, 0600): a file that cannot be written must stop the
    # import before anything is issued, since registration numbers cannot be shown again.
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with transaction(make_sessionmaker(engine)) as session:
            issued = await staff_issuance.import_licenses(
                session,
                settings,
                None if actor is None else Principal(user_id=actor, roles=frozenset({"admin"})),
                data,
                origin=f"cli:{getpass.getuser()}",
            )
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                descriptor = -1
                out.write(issued_csv(issued))
                out.flush()
                os.fsync(out.fileno())
        return len(issued)
    except BaseException:
        if descriptor >= 0:
            os.close(descriptor)
        os.unlink(output)  # nothing was issued: leave no misleading export behind
        raise
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    output: Path = args.output or args.file.with_name(args.file.name + ".issued.csv")
    if output.exists():
        print(f"error: {output} already exists; choose another --output", file=sys.stderr)
        return 2
    try:
        data = args.file.read_bytes()
        settings = Settings()
        clock.use_business_timezone(settings.business_timezone)
        count = asyncio.run(_import(settings, data, args.file, output, args.actor))
    except Problem as problem:
        detail = (
            problem.detail.render(DEFAULT_LOCALE) if problem.detail else problem.type.title(DEFAULT_LOCALE)
        )
        print(f"error: {detail}", file=sys.stderr)
        for error in problem.errors:
            print(
                f"  line {error.get('line', '?')}: {error.get('field', '')}: {error.get('message')}",
                file=sys.stderr,
            )
        return 1
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"imported {count} licenses; serials and registration numbers written to {output} (mode 0600)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
