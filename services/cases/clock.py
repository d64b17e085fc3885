"""The one place the cases service reads the time (tests and a shared clock can replace it)."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
