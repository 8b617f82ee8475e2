"""A group's meetings: in person, online, or both. Staff of the group add, move and cancel them; members
see the future ones on their page and can add them to a calendar (.ics)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import calendars
from webapp.clock import now
from webapp.languages import group_text
from webapp.models import Group, Meeting, StaffUser
from webapp.services import InputError, events
from webapp.services.actors import staff


def future(session: Session, group_id: int | None) -> list[Meeting]:
    return list(
        session.scalars(
            select(Meeting)
            .where(Meeting.group_id == group_id, Meeting.starts_at >= now(), Meeting.cancelled.is_(False))
            .order_by(Meeting.starts_at)
        )
    )


def upcoming_for_staff(session: Session, group: Group) -> list[Meeting]:
    """Future meetings including cancelled ones (shown as cancelled)."""
    return list(
        session.scalars(
            select(Meeting)
            .where(Meeting.group_id == group.id, Meeting.starts_at >= now())
            .order_by(Meeting.starts_at)
        )
    )


@dataclass(frozen=True)
class TimeAndPlace:
    """When and where people meet (a group's meeting, an informal discussion): in person, online, or both."""

    starts_at: datetime
    minutes: int
    place: str = ""
    online_link: str = ""

    def checked(self, what: str, longest_hours: int) -> TimeAndPlace:
        """The same, trimmed; or InputError naming the field at fault ("The meeting must be ...")."""
        place, online_link = (self.place or "").strip(), (self.online_link or "").strip()
        if self.starts_at.tzinfo is None:
            raise ValueError("starts_at must be timezone-aware")
        if self.starts_at <= now():
            raise InputError(f"The {what} must be in the future", "date")
        if not place and not online_link:
            raise InputError("Enter a place, an online link, or both", "place")
        if online_link and not online_link.startswith("https://"):
            raise InputError("Enter an online link that starts with https://", "online_link")
        if not 15 <= self.minutes <= longest_hours * 60:
            raise InputError(f"A {what} lasts between 15 minutes and {longest_hours} hours", "duration")
        return replace(self, place=place, online_link=online_link)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


LONGEST_MEETING_HOURS = 8


def add(session: Session, group: Group, user: StaffUser, when: TimeAndPlace) -> Meeting:
    when = when.checked("meeting", LONGEST_MEETING_HOURS)
    meeting = Meeting(
        group_id=group.id,
        starts_at=when.starts_at,
        ends_at=when.ends_at,
        place=when.place,
        online_link=when.online_link,
        created_at=now(),
    )
    session.add(meeting)
    session.flush()
    events.record(session, staff(user), "meeting added", _group(meeting), detail=_recorded(meeting))
    return meeting


def move(session: Session, meeting: Meeting, user: StaffUser, when: TimeAndPlace) -> None:
    when = when.checked("meeting", LONGEST_MEETING_HOURS)
    meeting.starts_at, meeting.ends_at = when.starts_at, when.ends_at
    meeting.place, meeting.online_link = when.place, when.online_link
    events.record(session, staff(user), "meeting moved", _group(meeting), detail=_recorded(meeting))


def cancel(session: Session, meeting: Meeting, user: StaffUser) -> None:
    meeting.cancelled = True
    events.record(session, staff(user), "meeting cancelled", _group(meeting), detail=_recorded(meeting))


def _group(meeting: Meeting) -> events.Subject:
    return events.Subject("group", meeting.group_id)


def _recorded(meeting: Meeting) -> dict[str, Any]:
    """What the group's event log keeps of a meeting."""
    return {"meeting": meeting.id, "starts_at": meeting.starts_at.isoformat(), "place": meeting.place}


def calendar(group: Group, meetings: list[Meeting], language: str = "en") -> bytes:
    """An iCalendar file of the meetings, its texts in the member's language; a UID per meeting, so a
    moved meeting updates in place."""
    domain = current_app.extensions["deployment"].mail_domain
    with force_locale(language):
        name = group_text(group, "name")
        return calendars.build(
            [
                calendars.Entry(
                    uid=f"meeting-{meeting.id}@{domain}",
                    starts_at=meeting.starts_at,
                    ends_at=meeting.ends_at,
                    summary=gettext("%(group)s meeting", group=name),
                    location=meeting.place or meeting.online_link,
                    description=gettext("Join online: %(link)s", link=meeting.online_link)
                    if meeting.online_link
                    else None,
                )
                for meeting in meetings
            ],
            name=gettext("%(group)s meetings", group=name),
        )
