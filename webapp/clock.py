"""The one source of time. Tests move it with `clock.travel()`; nothing else calls datetime.now()."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
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


def uk_time(moment: datetime) -> str:
    """How a time reads to a person in the UK: 'Tuesday 3 March 2026 at 6:30pm'."""
    local = moment.astimezone(UK)
    return local.strftime("%A %-d %B %Y at %-I:%M%p").replace("AM", "am").replace("PM", "pm")
