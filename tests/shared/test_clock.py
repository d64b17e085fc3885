"""The one clock: business days are judged in the business time zone, and tests can stop time."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.downloads.release_dates import publication_date
from shared import clock
from shared.config import ServiceSettings

TAIPEI = ZoneInfo("Asia/Taipei")


def test_the_business_day_starts_at_midnight_in_taipei_not_in_utc() -> None:
    # 16:30 UTC on 31 March is 00:30 on 1 April in Taipei.
    assert clock.business_date(datetime(2026, 3, 31, 16, 30, tzinfo=UTC)) == date(2026, 4, 1)
    assert clock.business_date(datetime(2026, 3, 31, 15, 59, tzinfo=UTC)) == date(2026, 3, 31)


def test_a_frozen_clock_answers_now_and_today_until_the_block_ends() -> None:
    moment = datetime(2026, 4, 1, 1, 0, tzinfo=TAIPEI)
    with clock.frozen_at(moment):
        assert clock.now() == moment and clock.now().tzinfo == UTC
        assert clock.today() == date(2026, 4, 1)
        assert clock.timestamp() == int(moment.timestamp())
        with clock.frozen_at(moment - timedelta(hours=3)):
            assert clock.today() == date(2026, 3, 31)
        assert clock.today() == date(2026, 4, 1)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)  # noqa: TID251 - checks the real clock


def test_naive_times_are_refused_because_they_name_no_day() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        clock.business_date(datetime(2026, 4, 1, 1, 0))
    with pytest.raises(ValueError, match="no time zone"), clock.frozen_at(datetime(2026, 4, 1, 1, 0)):
        pass


def test_the_business_time_zone_comes_from_settings_and_must_exist() -> None:
    assert ServiceSettings().business_timezone == "Asia/Taipei"
    with pytest.raises(ValidationError, match="IANA time zone"):
        ServiceSettings(business_timezone="Mars/Olympus_Mons")
    moment = datetime(2026, 3, 31, 20, 0, tzinfo=UTC)  # 1 April in Taipei, still 31 March in New York
    try:
        clock.use_business_timezone(ServiceSettings(business_timezone="America/New_York").business_timezone)
        assert clock.business_date(moment) == date(2026, 3, 31)
    finally:
        clock.use_business_timezone(clock.DEFAULT_BUSINESS_TIMEZONE)
    assert clock.business_date(moment) == date(2026, 4, 1)


def test_a_release_keeps_its_first_date_unless_one_is_given() -> None:
    with clock.frozen_at(datetime(2026, 4, 1, 1, 0, tzinfo=TAIPEI)):
        assert publication_date(None, None) == date(2026, 4, 1)  # new release: the business day
        assert publication_date(None, date(2025, 1, 15)) == date(2025, 1, 15)  # re-publish keeps it
        assert publication_date(date(2025, 2, 1), date(2025, 1, 15)) == date(2025, 2, 1)  # explicit wins
