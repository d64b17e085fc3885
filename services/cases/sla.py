"""SLA arithmetic in the vendor's business hours: pure functions, no clock, no database.

Targets are business time (e.g. 8 working hours), counted only inside the working hours of the
vendor's calendar: its time zone, opening and closing time, weekend days and holidays. The
resolution clock stops while the case waits on the customer; the paused business time is added
to the target, which is the same as "the remaining time is kept while paused" because business
time is additive over consecutive spans.

Arithmetic on aware datetimes is done in UTC: subtracting two datetimes that share a ZoneInfo
compares wall clocks and would be an hour wrong across a DST change.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from shared.events.cases import CaseSeverity

SlaState = Literal["breached", "breaching_soon", "on_track", "paused", "met"]
# A calendar with no working day at all would make every target unreachable: searching stops
# after this many days and says so, instead of looping for ever.
MAX_SEARCH_DAYS = 366 * 20


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "UTC"
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Monday is 0
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("working hours must open before they close")
        if len(self.weekend) >= 7:
            raise ValueError("a calendar needs at least one working weekday")
        ZoneInfo(self.timezone)  # an unknown zone fails here, not at the first case

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working hours of `day` in UTC, or None on a weekend or holiday."""
        if not self.is_working_day(day):
            return None
        zone = ZoneInfo(self.timezone)
        start = datetime.combine(day, self.opens, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day, self.closes, tzinfo=zone).astimezone(UTC)
        return (start, end) if start < end else None

    def windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows that end after `moment`, in order, the first clipped to start there."""
        moment = _utc(moment)
        day = moment.astimezone(ZoneInfo(self.timezone)).date() - timedelta(days=1)
        for _ in range(MAX_SEARCH_DAYS):
            found = self.window(day)
            day += timedelta(days=1)
            if found is None or found[1] <= moment:
                continue
            yield max(found[0], moment), found[1]
        raise ValueError("no working time found in the calendar")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("SLA times must be timezone-aware")
    return moment.astimezone(UTC)


def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The moment `duration` of working time after `start` is used up."""
    if duration < timedelta(0):
        raise ValueError("a business duration cannot be negative")
    if duration == timedelta(0):
        return _utc(start)
    remaining = duration
    for opens, closes in calendar.windows_from(start):
        span = closes - opens
        if remaining <= span:
            return opens + remaining
        remaining -= span
    raise AssertionError("windows_from never ends without raising")  # pragma: no cover


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Working time inside [start, end) (zero when end is not after start)."""
    start, end = _utc(start), _utc(end)
    total = timedelta(0)
    if end <= start:
        return total
    for opens, closes in calendar.windows_from(start):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total


@dataclass(frozen=True)
class Targets:
    first_response: timedelta
    resolution: timedelta


@dataclass(frozen=True)
class SlaPolicy:
    calendar: BusinessCalendar
    targets: Mapping[str, Targets]  # by severity
    warn_before: timedelta = timedelta(hours=2)

    def first_response_due(self, severity: CaseSeverity, opened_at: datetime) -> datetime:
        return add_business_time(self.calendar, opened_at, self.targets[severity].first_response)

    def resolution_due(self, severity: CaseSeverity, opened_at: datetime, paused: timedelta) -> datetime:
        """Due time of the resolution when `paused` business time was spent waiting on the customer."""
        return add_business_time(self.calendar, opened_at, self.targets[severity].resolution + paused)

    def paused_time(self, paused_since: datetime, resumed_at: datetime) -> timedelta:
        return business_time_between(self.calendar, paused_since, resumed_at)

    def state(self, due: datetime | None, now: datetime, *, paused: bool = False) -> SlaState:
        """Where a clock stands: met (no due any more), paused, breached, breaching soon, on track."""
        if paused:
            return "paused"
        if due is None:
            return "met"
        if due <= now:
            return "breached"
        return "breaching_soon" if due - now <= self.warn_before else "on_track"
