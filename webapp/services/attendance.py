"""Who is coming, and who came. A member answers a meeting's invitation (in person, online, or apologies,
with a note); after the meeting staff record attendance from that list; the register counts each member's
meetings over the last 12 months against the group's expected meetings a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import (
    PRESENT,
    Attendance,
    Group,
    Meeting,
    MeetingAnswer,
    MeetingResponse,
    Member,
    Membership,
    StaffUser,
)
from webapp.services import InputError, events
from webapp.services.actors import member_actor, staff

MAX_NOTE = 1000
YEAR = timedelta(days=365)
# What staff see ticked for each answer when they record attendance, before they change anything.
FROM_ANSWER = {
    MeetingAnswer.IN_PERSON: Attendance.PRESENT_IN_PERSON,
    MeetingAnswer.ONLINE: Attendance.PRESENT_ONLINE,
    MeetingAnswer.APOLOGIES: Attendance.APOLOGIES,
}


def response(session: Session, meeting: Meeting, membership: Membership) -> MeetingResponse | None:
    return session.scalar(
        select(MeetingResponse).where(
            MeetingResponse.meeting_id == meeting.id, MeetingResponse.membership_id == membership.id
        )
    )


def answer(
    session: Session,
    meeting: Meeting,
    membership: Membership,
    member: Member,
    chosen: str,
    note: str,
    interest: str = "",
) -> MeetingResponse:
    """The member's answer to the invitation (changed as often as they like until the meeting)."""
    if meeting.cancelled or meeting.starts_at <= now():
        raise InputError(gettext("This meeting has been cancelled or has started"), "answer")
    try:
        given = MeetingAnswer(chosen)
    except ValueError:
        raise InputError(gettext("Select whether you will come"), "answer") from None
    if given == MeetingAnswer.IN_PERSON and not meeting.place:
        raise InputError(gettext("This meeting is online only"), "answer")
    if given == MeetingAnswer.ONLINE and not meeting.online_link:
        raise InputError(gettext("This meeting is in person only"), "answer")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InputError(
            gettext("Your note must be %(most)s characters or fewer", most=f"{MAX_NOTE:,}"), "note"
        )
    found = response(session, meeting, membership)
    if found is None:
        found = MeetingResponse(meeting_id=meeting.id, membership_id=membership.id)
        session.add(found)
    found.answer, found.note, found.answered_at = given, note, now()
    found.interest = (interest or "").strip()[:MAX_NOTE]
    session.flush()
    events.record(
        session,
        member_actor(member),
        "meeting answered",
        events.Subject("group", meeting.group_id),
        detail={
            "meeting": meeting.id,
            "membership": membership.id,
            "answer": str(given),
            "interest declared": bool(found.interest),
        },
    )
    return found


@dataclass(frozen=True)
class Row:
    membership: Membership
    member: Member
    response: MeetingResponse | None

    @property
    def proposed(self) -> Attendance:
        """The attendance to record, as the form first shows it: what was recorded, else the answer."""
        if self.response and self.response.attendance:
            return self.response.attendance
        if self.response and self.response.answer:
            return FROM_ANSWER[self.response.answer]
        return Attendance.DID_NOT_ATTEND


def rows(session: Session, meeting: Meeting) -> list[Row]:
    """Everyone who was a member at the time of the meeting, with their answer and attendance."""
    found = session.execute(
        select(Membership, Member, MeetingResponse)
        .join(Member, Member.id == Membership.member_id)
        .outerjoin(
            MeetingResponse,
            (MeetingResponse.membership_id == Membership.id) & (MeetingResponse.meeting_id == meeting.id),
        )
        .where(
            Membership.group_id == meeting.group_id,
            Membership.joined_at <= meeting.ends_at,
            (Membership.left_at.is_(None)) | (Membership.left_at >= meeting.starts_at),
        )
        .order_by(Member.name, Member.id)
    )
    return [Row(membership, member, given) for membership, member, given in found]


def record(session: Session, meeting: Meeting, user: StaffUser, marks: dict[int, str]) -> int:
    """Attendance, for each membership id in `marks`, from the meeting's start; how many recorded. All or
    nothing: an unknown choice or someone not in the meeting's list refuses the lot."""
    if meeting.starts_at > now():
        raise InputError("Attendance can be recorded once the meeting has started", "attendance")
    if meeting.cancelled:
        raise InputError("This meeting was cancelled", "attendance")
    listed = {row.membership.id: row for row in rows(session, meeting)}
    chosen: dict[int, Attendance] = {}
    for membership_id, value in marks.items():
        if membership_id not in listed:
            raise InputError("Someone in the list is not a member of this group", "attendance")
        try:
            chosen[membership_id] = Attendance(value)
        except ValueError:
            raise InputError(
                f"Choose attendance for {listed[membership_id].member.name}", "attendance"
            ) from None
    for membership_id, attendance in chosen.items():
        given = listed[membership_id].response
        if given is None:
            given = MeetingResponse(meeting_id=meeting.id, membership_id=membership_id)
            session.add(given)
        given.attendance, given.attendance_recorded_at = attendance, now()
        given.attendance_recorded_by_id = user.id
    session.flush()
    events.record(
        session,
        staff(user),
        "attendance recorded",
        events.Subject("group", meeting.group_id),
        detail={"meeting": meeting.id, "present": sum(a in PRESENT for a in chosen.values())},
    )
    return len(chosen)


def attended_last_year(session: Session, group: Group) -> dict[int, int]:
    """Meetings each membership of the group attended in the last 12 months (present in person or online)."""
    counted = session.execute(
        select(MeetingResponse.membership_id, func.count())
        .join(Meeting, Meeting.id == MeetingResponse.meeting_id)
        .where(
            Meeting.group_id == group.id,
            Meeting.starts_at >= now() - YEAR,
            MeetingResponse.attendance.in_(list(PRESENT)),
        )
        .group_by(MeetingResponse.membership_id)
    )
    return {membership_id: count for membership_id, count in counted}


def expected_so_far(group: Group, membership: Membership) -> int:
    """The meetings a member is expected at over the last 12 months: the group's expected meetings a year,
    in proportion for someone who joined within the year (rounded down)."""
    days = min(YEAR, now() - membership.joined_at).days
    return group.expected_meetings * days // 365
