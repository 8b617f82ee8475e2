"""The one source of time. Tests move it with `clock.travel()`; nothing else calls datetime.now()."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(UTC) + _offset


@contextmanager
def travel(by: timedelta) -> Iterator[None]:
    """Move every clock reading forward by `by` for the duration of the block."""
    global _offset
    before = _offset
    _offset = before + by
    try:
        yield
    finally:
        _offset = before


UK = ZoneInfo("Europe/London")


def uk_time(moment: datetime, seconds: bool = False, language: str = "en") -> str:
    """How a time reads to a person in the UK: 'Tuesday 3 March 2026 at 6:30pm' (with `seconds`, for
    evidence: '6:30:05pm'); in Welsh, 'Dydd Mawrth 3 Mawrth 2026 am 6:30pm'. Every time a person reads
    goes through this or `uk_date`."""
    local = moment.astimezone(UK)
    clock = local.strftime("%-I:%M:%S%p" if seconds else "%-I:%M%p").replace("AM", "am").replace("PM", "pm")
    if language == "cy":
        return f"{_welsh(local, 'EEEE')} {uk_date(moment, language)} am {clock}"
    return f"{local.strftime('%A %-d %B %Y')} at {clock}"


def uk_date(moment: datetime | date, language: str = "en") -> str:
    """The day, as a person in the UK would say it of this moment: '3 March 2026' ('3 Mawrth 2026'). A
    calendar date (a day someone gave, not a moment) is read as it is."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(12), tzinfo=UK)
    local = moment.astimezone(UK)
    return _welsh(local, "d MMMM y") if language == "cy" else local.strftime("%-d %B %Y")


def _welsh(local: datetime, pattern: str) -> str:
    from babel.dates import format_datetime

    return format_datetime(local, pattern, locale="cy")


D = TypeVar("D", date, datetime)


def years_after(start: D, years: int) -> D:
    """The same day (and time, for a moment) `years` later (28 February for a 29 February start): the end
    of a term."""
    day = 28 if start.month == 2 and start.day == 29 else start.day
    return start.replace(year=start.year + years, day=day)


def month_after(day: date) -> date:
    """The day a one-month legal clock runs out (a subject access request under UK GDPR, as the ICO counts
    it): the same day next month, the month's last day where it has no such day, moved on to the Monday
    when it falls at a weekend. (Bank holidays are not counted: a day early rather than late.)"""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    due = date(year, month, min(day.day, last))
    return due + timedelta(days=(7 - due.weekday()) % 7 if due.weekday() >= 5 else 0)


def working_days_before(moment: datetime, days: int) -> datetime:
    """The moment `days` working days (Monday to Friday, UK time) before `moment`. Bank holidays are not
    counted out: a case is called late a day or two early at Christmas rather than never."""
    local = moment.astimezone(UK)
    left = days
    while left > 0:
        local -= timedelta(days=1)
        if local.weekday() < 5:
            left -= 1
    return local.astimezone(moment.tzinfo or UK)


def period_in_words(days: int, language: str = "en") -> str:
    """A retention period as the privacy notice and the agreement say it: "12 months", "2 years" (in
    Welsh "12 mis", "2 flynedd", with the mutation the number takes)."""
    years = days // 365 if days and days % 365 == 0 else 0
    if language == "cy":
        if years:
            return (
                "12 mis"
                if years == 1
                else {2: "2 flynedd", 3: "3 blynedd", 4: "4 blynedd"}.get(years, f"{years} mlynedd")
            )
        return f"{days} diwrnod"
    if years:
        return "12 months" if years == 1 else f"{years} years"
    return f"{days} days"
