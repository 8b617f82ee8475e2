"""A group's meetings: in person, online, or both. Staff of the group add, move and cancel them; each
current member is emailed an invitation with its calendar entry (REQUEST), a new one when it moves (the
same UID, SEQUENCE one more) and a cancellation (CANCEL); a reminder goes MEETING_REMINDER_DAYS before.
Members see the future ones on their page and can add them all to a calendar (.ics)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import calendars
from webapp.clock import now, uk_time
from webapp.files import file_store
from webapp.languages import group_text
from webapp.models import Group, Meeting, MeetingAnswer, MeetingResponse, StaffUser
from webapp.services import InputError, events, members, notify
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


def recent_and_coming(session: Session, group: Group) -> list[Meeting]:
    """The group's meetings of the last 12 months and to come, newest first (cancelled ones left out): the
    ones a paper can belong to, and whose attendance can be recorded."""
    return list(
        session.scalars(
            select(Meeting)
            .where(
                Meeting.group_id == group.id,
                Meeting.starts_at >= now() - timedelta(days=365),
                Meeting.cancelled.is_(False),
            )
            .order_by(Meeting.starts_at.desc())
        )
    )


def past_for_staff(session: Session, group: Group) -> list[Meeting]:
    """The group's meetings of the last 12 months that have started, newest first."""
    return [m for m in recent_and_coming(session, group) if m.starts_at <= now()]


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
    tell_members(session, meeting, "meeting_invite")
    return meeting


def move(session: Session, meeting: Meeting, user: StaffUser, when: TimeAndPlace) -> None:
    if meeting.cancelled:
        raise InputError("This meeting has been cancelled", "date")
    when = when.checked("meeting", LONGEST_MEETING_HOURS)
    meeting.starts_at, meeting.ends_at = when.starts_at, when.ends_at
    meeting.place, meeting.online_link = when.place, when.online_link
    meeting.sequence += 1
    meeting.reminded_at = None  # a new time: a new reminder before it
    events.record(session, staff(user), "meeting moved", _group(meeting), detail=_recorded(meeting))
    tell_members(session, meeting, "meeting_invite", changed=True)


def cancel(session: Session, meeting: Meeting, user: StaffUser) -> None:
    if meeting.cancelled:
        return
    meeting.cancelled = True
    meeting.sequence += 1
    events.record(session, staff(user), "meeting cancelled", _group(meeting), detail=_recorded(meeting))
    tell_members(session, meeting, "meeting_cancelled")


def _subject(template: str, changed: bool, group: str, when: str) -> str:
    """The email's subject, in the language being forced."""
    if changed:
        return gettext("New time: %(group)s meeting, %(when)s", group=group, when=when)
    subjects = {
        "meeting_invite": _l("Invitation: %(group)s meeting, %(when)s", group=group, when=when),
        "meeting_cancelled": _l("Cancelled: %(group)s meeting, %(when)s", group=group, when=when),
        "meeting_reminder": _l("Reminder: %(group)s meeting, %(when)s", group=group, when=when),
    }
    return str(subjects[template])


def tell_members(session: Session, meeting: Meeting, template: str, changed: bool = False) -> int:
    """Email each current member of the group about the meeting, in their language, with the calendar
    entry as an invitation (REQUEST) or, for a cancelled meeting, a cancellation (CANCEL); how many."""
    group = session.get_one(Group, meeting.group_id)
    store = file_store(current_app)
    method = "CANCEL" if meeting.cancelled else "REQUEST"
    sent = 0
    for membership, member in members.of_group(session, group.id):
        if template == "meeting_reminder" and _sent_apologies(session, meeting, membership.id):
            continue
        person = calendars.Person(member.email or "", member.name)
        ics = store.put(calendars.build([entry(meeting, group, member.language, person)], method=method))
        when = uk_time(meeting.starts_at, language=member.language)
        with force_locale(member.language):
            subject = _subject(template, changed, group_text(group, "name"), when)
        notify.email(
            session,
            template,
            to=member.email or "",
            subject=subject,
            language=member.language,
            purpose="meeting",
            attachments=[{"filename": "meeting.ics", "content_type": "text/calendar", "storage_name": ics}],
            member=member,
            group=group,
            meeting=meeting,
            when=when,
            changed=changed,
        )
        sent += 1
    return sent


def _sent_apologies(session: Session, meeting: Meeting, membership_id: int) -> bool:
    return (
        session.scalar(
            select(MeetingResponse.id).where(
                MeetingResponse.meeting_id == meeting.id,
                MeetingResponse.membership_id == membership_id,
                MeetingResponse.answer == MeetingAnswer.APOLOGIES,
            )
        )
        is not None
    )


def send_reminders(session: Session) -> int:
    """Remind the members of each meeting that starts within MEETING_REMINDER_DAYS (not those who sent
    apologies), once per meeting time. Run by a scheduler, e.g. daily; running it twice sends nothing
    more. How many emails."""
    soon = now() + timedelta(days=current_app.config["MEETING_REMINDER_DAYS"])
    due = session.scalars(
        select(Meeting).where(
            Meeting.starts_at > now(),
            Meeting.starts_at <= soon,
            Meeting.cancelled.is_(False),
            Meeting.reminded_at.is_(None),
        )
    )
    sent = 0
    for meeting in due:
        meeting.reminded_at = now()
        sent += tell_members(session, meeting, "meeting_reminder")
    return sent


def _group(meeting: Meeting) -> events.Subject:
    return events.Subject("group", meeting.group_id)


def _recorded(meeting: Meeting) -> dict[str, Any]:
    """What the group's event log keeps of a meeting."""
    return {"meeting": meeting.id, "starts_at": meeting.starts_at.isoformat(), "place": meeting.place}


def entry(
    meeting: Meeting, group: Group, language: str = "en", attendee: calendars.Person | None = None
) -> calendars.Entry:
    """A meeting as a calendar entry, its words in `language`: the same UID in the feed, the invitation,
    its updates and its cancellation, so a calendar keeps one entry."""
    deployment = current_app.extensions["deployment"]
    with force_locale(language):
        name = group_text(group, "name")
        summary = gettext("%(group)s meeting", group=name)
        description = (
            gettext("Join online: %(link)s", link=meeting.online_link) if meeting.online_link else None
        )
    return calendars.Entry(
        uid=f"meeting-{meeting.id}@{deployment.mail_domain}",
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=summary,
        location=meeting.place or meeting.online_link,
        description=description,
        organizer=calendars.Person(deployment.mailbox, deployment.force_name) if attendee else None,
        attendee=attendee,
        cancelled=meeting.cancelled,
    )


def calendar(group: Group, meetings: list[Meeting], language: str = "en") -> bytes:
    """An iCalendar feed of the meetings, its texts in the member's language."""
    with force_locale(language):
        name = gettext("%(group)s meetings", group=group_text(group, "name"))
    return calendars.build([entry(meeting, group, language) for meeting in meetings], name=name)
