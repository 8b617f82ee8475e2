"""A calendar program's answer to one of our invitations (iCalendar METHOD:REPLY): which entry, and
whether the person accepted, declined or said maybe."""

from __future__ import annotations

from dataclasses import dataclass

from mail_ingest.parse import ParsedAttachment

ANSWERS = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}


@dataclass(frozen=True)
class CalendarReply:
    uid: str
    answer: str  # "accepted", "declined" or "tentative"


def reply_in(attachments: list[ParsedAttachment]) -> CalendarReply | None:
    for attachment in attachments:
        calendar = attachment.declared_type == "text/calendar" or attachment.filename.lower().endswith(".ics")
        if calendar and attachment.data and b"REPLY" in attachment.data.upper():
            found = _read(attachment.data)
            if found is not None:
                return found
    return None


def _read(data: bytes) -> CalendarReply | None:
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(data)
    except Exception:  # not a calendar after all: an ordinary attachment
        return None
    if str(calendar.get("method", "")).upper() != "REPLY":
        return None
    for event in calendar.walk("VEVENT"):
        attendees = event.get("attendee")
        attendee = attendees[0] if isinstance(attendees, list) and attendees else attendees
        status = str(getattr(attendee, "params", {}).get("PARTSTAT", "")).upper()
        if event.get("uid") and status in ANSWERS:
            return CalendarReply(str(event.get("uid"))[:300], ANSWERS[status])
    return None


def invitation_in(attachments: list[ParsedAttachment]) -> bool:
    """A meeting invitation (iCalendar METHOD:REQUEST), as Outlook, Teams and Google Calendar send them: not
    an answer to ours, and never an application."""
    for attachment in attachments:
        calendar = attachment.declared_type == "text/calendar" or attachment.filename.lower().endswith(".ics")
        if calendar and b"METHOD:REQUEST" in attachment.data[:4096].upper().replace(b" ", b""):
            return True
    return False
