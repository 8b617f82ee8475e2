"""iCalendar files, built one way: a meeting feed (PUBLISH), an invitation (REQUEST) and a cancellation
(CANCEL) are the same entries with different methods. A UID per entry, so a moved time updates the entry in
place. Times are written in Europe/London with its VTIMEZONE, so a calendar anywhere shows the UK time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from webapp.clock import UK, now


@dataclass(frozen=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True)
class Entry:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str | None
    description: str | None = None
    sequence: int | None = None
    organizer: Person | None = None
    attendee: Person | None = None
    cancelled: bool = False


def build(entries: list[Entry], *, method: str | None = None, name: str | None = None) -> bytes:
    """The .ics bytes of `entries`. `method` REQUEST makes an invitation a calendar offers to accept."""
    from icalendar import Calendar, Event, vCalAddress, vText

    calendar = Calendar()
    calendar.add("prodid", "-//IAG Membership//EN")
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        if entry.sequence is not None:
            event.add("sequence", entry.sequence)
        event.add("dtstamp", now())
        event.add("dtstart", entry.starts_at.astimezone(UK))
        event.add("dtend", entry.ends_at.astimezone(UK))
        if entry.cancelled:
            event.add("status", "CANCELLED")
        event.add("summary", entry.summary)
        event.add("location", entry.location)
        if entry.description:
            event.add("description", entry.description)
        if entry.organizer:
            organizer = vCalAddress(f"mailto:{entry.organizer.email}")
            organizer.params["cn"] = vText(entry.organizer.name)
            event["organizer"] = organizer
        if entry.attendee:
            attendee = vCalAddress(f"mailto:{entry.attendee.email}")
            attendee.params["cn"] = vText(entry.attendee.name)
            attendee.params["rsvp"] = vText("TRUE")
            event.add("attendee", attendee, encode=False)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
