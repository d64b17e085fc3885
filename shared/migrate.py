"""`python -m shared.migrate <service> [revision]`: bring a service's database to `head`.

Reads the database URL from the service's settings (`<SERVICE>_DATABASE_URL`), so the same
command works locally, in tests and as a Kubernetes init container.
"""

import argparse
import os
from pathlib import Path

from alembic import command
from alembic.config import Config

SERVICES = ("identity", "licensing", "downloads", "cases", "notifier")
ROOT = Path(__file__).resolve().parent.parent


def alembic_config(service: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "services" / service / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(service: str, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service, database_url), revision)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a service's Alembic migrations up to a revision.")
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    args = parser.parse_args(argv)
    variable = f"{args.service.upper()}_DATABASE_URL"
    url = os.environ.get(variable)
    if not url:
        parser.error(f"{variable} is not set: point it at the service's database")
    upgrade(args.service, url, args.revision)
    print(f"{args.service}: migrated to {args.revision}")


if __name__ == "__main__":
    main()
