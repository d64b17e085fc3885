"""The one clock: what time it is, and which calendar day it is for the business.

Coverage dates (purchase, warranty end, maintenance contracts, release days) are calendar days
of the vendor's business calendar, so "today" is the date in the business time zone (setting
`business_timezone`, default Asia/Taipei), never the UTC date and never the server's local
date: at 01:00 in Taipei a license whose coverage ended yesterday is lapsed for every service
alike. Everything that asks what time or what day it is asks here; ruff's banned-api rule
(TID251) refuses `datetime.now`, `datetime.utcnow`, `date.today` and `time.time` elsewhere, which
also gives tests one place to stop time (`frozen_at`). Durations keep using `time.monotonic`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_BUSINESS_TIMEZONE = "Asia/Taipei"

_business_zone: tzinfo = ZoneInfo(DEFAULT_BUSINESS_TIMEZONE)
_frozen: datetime | None = None


def business_zone_named(name: str) -> ZoneInfo:
    """The IANA zone `name`, or a ValueError that says what was wrong (settings validate with it)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Asia/Taipei)") from error


def use_business_timezone(name: str) -> None:
    """Set the business calendar's zone for this process (services and CLIs do it at start)."""
    global _business_zone
    _business_zone = business_zone_named(name)


def business_timezone() -> tzinfo:
    return _business_zone


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC)  # noqa: TID251 - the one place that reads the system's clock


def timestamp() -> int:
    """The current moment in whole Unix seconds (JWT `iat`/`exp`)."""
    return int(now().timestamp())


def business_date(at: datetime) -> date:
    """The business calendar's date at the moment `at` (which must be timezone-aware)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at!r} has no time zone: a naive time names no calendar day")
    return at.astimezone(_business_zone).date()


def today() -> date:
    """Today in the business calendar: the day coverage, cases and release dates are judged on."""
    return business_date(now())


@contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """Stop the clock at `moment` (timezone-aware) for the duration of the block, for tests."""
    global _frozen
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone: freeze the clock at an unambiguous moment")
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield _frozen
    finally:
        _frozen = previous
