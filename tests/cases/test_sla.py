"""The SLA arithmetic (pure, no stack): business hours, weekends, holidays, DST, pausing."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.cases.sla import BusinessCalendar, SlaPolicy, Targets, add_business_time, business_time_between

TAIPEI = BusinessCalendar(
    timezone="Asia/Taipei",
    opens=time(9, 0),
    closes=time(18, 0),
    holidays=frozenset({date(2026, 1, 1), date(2026, 2, 16), date(2026, 2, 17)}),
)
# A zone with daylight saving time: the windows move against UTC twice a year.
BERLIN = BusinessCalendar(timezone="Europe/Berlin", opens=time(8, 30), closes=time(17, 0))
CALENDARS = st.sampled_from([TAIPEI, BERLIN])

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
durations = st.integers(min_value=0, max_value=200 * 3600).map(lambda s: timedelta(seconds=s))


def taipei(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZoneInfo("Asia/Taipei"))


def local(calendar: BusinessCalendar, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(calendar.timezone))


def test_inside_one_working_day() -> None:
    assert add_business_time(TAIPEI, taipei(2026, 3, 2, 10), timedelta(hours=4)) == taipei(2026, 3, 2, 14)


def test_spills_over_the_night_and_the_weekend() -> None:
    friday_afternoon = taipei(2026, 3, 6, 16)
    assert add_business_time(TAIPEI, friday_afternoon, timedelta(hours=4)) == taipei(2026, 3, 9, 11)


def test_starts_counting_when_the_office_opens() -> None:
    saturday_night = taipei(2026, 3, 7, 23)
    assert add_business_time(TAIPEI, saturday_night, timedelta(hours=1)) == taipei(2026, 3, 9, 10)


def test_holidays_do_not_count() -> None:
    before_new_year = taipei(2025, 12, 31, 17)
    assert add_business_time(TAIPEI, before_new_year, timedelta(hours=2)) == taipei(2026, 1, 2, 10)
    assert business_time_between(TAIPEI, taipei(2026, 2, 16, 0), taipei(2026, 2, 18, 0)) == timedelta(0)


def test_a_calendar_must_be_workable() -> None:
    with pytest.raises(ValueError):
        BusinessCalendar(weekend=frozenset(range(7)))
    with pytest.raises(ValueError):
        BusinessCalendar(opens=time(18), closes=time(9))
    with pytest.raises(ValueError):
        add_business_time(TAIPEI, datetime(2026, 3, 2, 10), timedelta(hours=1))  # naive


@settings(max_examples=300, deadline=None)
@given(calendar=CALENDARS, start=moments, duration=durations)
def test_adding_then_measuring_gives_the_duration_back(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    due = add_business_time(calendar, start, duration)
    assert due >= start
    assert business_time_between(calendar, start, due) == duration


@settings(max_examples=300, deadline=None)
@given(calendar=CALENDARS, start=moments, duration=durations.filter(lambda d: d > timedelta(0)))
def test_a_due_time_falls_inside_working_hours(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    due = local(calendar, add_business_time(calendar, start, duration))
    assert calendar.is_working_day(due.date())
    assert calendar.opens < due.time() <= calendar.closes


@settings(max_examples=200, deadline=None)
@given(calendar=CALENDARS, start=moments, first=durations, second=durations)
def test_business_time_adds_up(
    calendar: BusinessCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    middle = add_business_time(calendar, start, first)
    assert add_business_time(calendar, middle, second) == add_business_time(calendar, start, first + second)


@settings(max_examples=200, deadline=None)
@given(calendar=CALENDARS, start=moments, shorter=durations, extra=durations)
def test_more_time_is_never_due_earlier(
    calendar: BusinessCalendar, start: datetime, shorter: timedelta, extra: timedelta
) -> None:
    assert add_business_time(calendar, start, shorter) <= add_business_time(calendar, start, shorter + extra)


POLICY = SlaPolicy(TAIPEI, {"normal": Targets(timedelta(hours=8), timedelta(hours=40))})


@settings(max_examples=200, deadline=None)
@given(
    opened=moments,
    before_pause=st.integers(min_value=0, max_value=39 * 3600),
    pause=st.integers(min_value=0, max_value=30 * 24 * 3600),
)
def test_waiting_on_the_customer_keeps_the_remaining_time(
    opened: datetime, before_pause: int, pause: int
) -> None:
    """Paused at p and resumed at r, the case has exactly the business time it had left at p."""
    paused_at = add_business_time(TAIPEI, opened, timedelta(seconds=before_pause))
    resumed_at = paused_at + timedelta(seconds=pause)
    paused = POLICY.paused_time(paused_at, resumed_at)
    due = POLICY.resolution_due("normal", opened, paused)
    left_at_pause = timedelta(hours=40) - business_time_between(TAIPEI, opened, paused_at)
    assert due >= resumed_at
    assert business_time_between(TAIPEI, resumed_at, due) == left_at_pause
    assert due >= POLICY.resolution_due("normal", opened, timedelta(0))


def test_states_of_a_clock() -> None:
    now = taipei(2026, 3, 2, 10)
    assert POLICY.state(None, now) == "met"
    assert POLICY.state(now - timedelta(minutes=1), now) == "breached"
    assert POLICY.state(now, now) == "breached"
    assert POLICY.state(now + timedelta(hours=1), now) == "breaching_soon"
    assert POLICY.state(now + timedelta(hours=3), now) == "on_track"
    assert POLICY.state(now - timedelta(hours=3), now, paused=True) == "paused"
