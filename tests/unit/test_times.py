"""Every time a person reads is in UK time, through the one filter pair (`uk_time`, `uk_date`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from webapp.clock import uk_date, uk_time
from webapp.config import PROJECT_ROOT


def test_a_summer_evening_reads_in_british_summer_time():
    moment = datetime(2026, 6, 30, 23, 30, 5, tzinfo=UTC)  # 00:30 on 1 July in London
    assert uk_time(moment) == "Wednesday 1 July 2026 at 12:30am"
    assert uk_time(moment, seconds=True) == "Wednesday 1 July 2026 at 12:30:05am"
    assert uk_date(moment) == "1 July 2026"


def test_a_winter_time_is_greenwich_time():
    assert uk_time(datetime(2026, 12, 1, 18, 30, tzinfo=UTC)) == "Tuesday 1 December 2026 at 6:30pm"


def test_no_template_formats_a_time_itself():
    """A template that called strftime would print the stored UTC time, an hour out all summer."""
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "templates").rglob("*")
        if path.is_file() and "strftime" in path.read_text()
    ]
    assert offenders == []


def test_working_days_skip_weekends():
    from webapp.clock import working_days_before

    tuesday = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert working_days_before(tuesday, 1) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday
    assert working_days_before(tuesday, 2) == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday before
    assert working_days_before(tuesday, 20) == datetime(2026, 11, 3, 9, 0, tzinfo=UTC)  # four weeks


def test_working_days_count_back_from_every_day_of_the_week():
    """N working days before any day of the week is the weekday with exactly N weekdays from it up to (not
    including) that day, at the same time of day: a case's reply time never depends on the day it is read."""
    from webapp.clock import UK, working_days_before

    monday = datetime(2026, 12, 7, 10, 0, tzinfo=UK)
    for start in (monday + timedelta(days=offset) for offset in range(7)):
        for days in range(1, 26):
            back = working_days_before(start, days)
            counted = [back + timedelta(days=step) for step in range((start - back).days)]
            assert back.weekday() < 5, (start, days)
            assert sum(day.weekday() < 5 for day in counted) == days, (start, days)
            assert back.timetz() == start.timetz()


def test_a_one_month_legal_clock_ends_as_the_ico_counts_it():
    """The same day next month; the month's last day where it has no such day; a weekend moved to Monday."""
    from datetime import date

    from webapp.clock import month_after

    assert month_after(date(2026, 12, 8)) == date(2027, 1, 8)  # a Friday
    assert month_after(date(2026, 3, 31)) == date(2026, 4, 30)  # April has no 31st
    assert month_after(date(2027, 1, 29)) == date(2027, 3, 1)  # 28 February 2027 is a Sunday
    assert month_after(date(2026, 12, 31)) == date(2027, 2, 1)  # 31 January 2027 is a Sunday
    assert month_after(date(2026, 11, 7)) == date(2026, 12, 7)  # a Saturday's request, due on a Monday
    for day in range(1, 32):
        due = month_after(date(2026, 1, day))
        assert due.weekday() < 5 and date(2026, 2, 1) <= due <= date(2026, 3, 4)


def test_a_time_reads_in_welsh_for_a_welsh_reader():
    from datetime import UTC, datetime

    from webapp.clock import uk_date, uk_time

    moment = datetime(2026, 3, 3, 18, 30, tzinfo=UTC)
    assert uk_time(moment, language="cy") == "Dydd Mawrth 3 Mawrth 2026 am 6:30pm"
    assert uk_date(moment, language="cy") == "3 Mawrth 2026"
    assert uk_time(moment) == "Tuesday 3 March 2026 at 6:30pm"
