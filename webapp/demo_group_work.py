"""The demo's group work, after its members have joined: the Bristol IAG's members with their own
details, a meeting held (with attendance) and one to come (with answers), papers (a confidential briefing
and public minutes), one open call-out with an answer, the advice log with the force's responses, a
message to members, an election of the Vice Chair taking nominations, and expenses claims (one waiting,
one paid). All through the services staff and members use."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import UK, now
from webapp.models import Group, Meeting, StaffUser
from webapp.pdf import render_pdf
from webapp.services import (
    advice,
    attendance,
    call_outs,
    elections,
    expenses,
    meetings,
    member_messages,
    members,
    papers,
)

DETAILS = {
    "Yusuf Ali": {
        "skills": "Youth work; mentoring",
        "specialisms": "Stop and search",
        "availability": "any time",
    },
    "Kwame Asante": {
        "skills": "Mediation",
        "specialisms": "Public order; events",
        "availability": "evenings and weekends",
    },
    "Siobhan Murphy": {
        "skills": "Safeguarding",
        "specialisms": "Mental health",
        "availability": "working hours",
    },
}


def _briefing() -> bytes:
    return render_pdf(
        "<html lang='en'><head><title>Briefing</title></head><body><h1>Operation Lantern: briefing</h1>"
        "<p>Plans for policing the St Pauls Carnival weekend, for the group's advice before they are "
        "final.</p>"
        "</body></html>"
    )


def seed(session: Session, coordinator: StaffUser) -> None:
    group = session.scalar(select(Group).where(Group.slug == "bristol"))
    current = members.of_group(session, group.id) if group else []
    if group is None or not current:
        return
    for _membership, member in current:
        members.update_details(
            session, member, {**DETAILS.get(member.name, {}), "contact_preference": "Email"}
        )
    held = _meeting(session, group, coordinator, days=-20)
    coming = _meeting(session, group, coordinator, days=12)
    for membership, _member in current:
        membership.joined_at = now() - timedelta(days=200)
    marks = {membership.id: "present in person" for membership, _member in current[:-1]}
    marks[current[-1][0].id] = "apologies"
    attendance.record(session, held, coordinator, marks)
    first_membership, first = current[0]
    attendance.answer(session, coming, first_membership, first, "in person", "")
    papers.add(
        session,
        group,
        coordinator,
        papers.Upload(
            "Operation Lantern: briefing", "lantern-briefing.pdf", _briefing(), True, meeting_id=coming.id
        ),
    )
    papers.add(
        session,
        group,
        coordinator,
        papers.Upload(
            "Minutes of the last meeting (public)", "minutes.pdf", _briefing(), False, "minutes", held.id
        ),
    )
    asked = call_outs.open_call_out(
        session,
        group,
        coordinator,
        call_outs.Ask(
            "A large disturbance is expected after Saturday's match. "
            "What should officers know about the area?",
            "within hours",
            now() + timedelta(hours=20),
            [membership.id for membership, _member in current],
        ),
    )
    recipient = call_outs.recipient_of(session, asked, first_membership)
    if recipient is not None:
        call_outs.answer(
            session, asked, recipient, first, "advice", "Speak to the youth club leaders on Friday."
        )
    given = advice.record(
        session, group, coordinator, "meeting", "Publish stop and search figures by ward each month."
    )
    advice.respond(
        session, given, coordinator, "acted on", "Figures by ward are now on the force website, monthly."
    )
    advice.record(session, group, coordinator, "email", "Use interpreters for victims' first contact.")
    member_messages.send(
        session,
        group,
        coordinator,
        member_messages.Draft(
            "Before the next meeting",
            "Dear members,\n\nPlease read the Operation Lantern briefing before we meet.\n\nThank you.",
            [membership.id for membership, _member in current],
        ),
    )
    _election_and_expenses(session, group, coordinator, current, held)


def _election_and_expenses(
    session: Session, group: Group, coordinator: StaffUser, current, held: Meeting
) -> None:
    opened = now()
    election = elections.open_election(
        session,
        group,
        coordinator,
        "vice chair",
        elections.Timetable(
            opened, opened + timedelta(days=10), opened + timedelta(days=11), opened + timedelta(days=18)
        ),
    )
    first_membership, first = current[0]
    elections.nominate(
        session,
        election,
        first_membership,
        first_membership.id,
        "I have chaired our youth panel for five years.",
    )
    spent = held.starts_at.astimezone(UK).date()
    waiting = expenses.Claim(
        spent_on=spent, purpose="Travel to the meeting", miles="14", parking="4.00", meeting_id=held.id
    )
    expenses.submit(session, first_membership, first, waiting)
    second_membership, second = current[1]
    paid = expenses.submit(
        session,
        second_membership,
        second,
        expenses.Claim(spent_on=spent, purpose="Bus to the meeting", public_transport="5.60"),
    )
    expenses.decide(session, paid, coordinator, "approve", "")
    expenses.mark_paid(session, [paid], coordinator)


def _meeting(session: Session, group: Group, user: StaffUser, days: int) -> Meeting:
    """A meeting `days` from today (before today when negative) at 6:30pm UK time. Meetings can only be
    added in the future, so a held one is added ahead and then dated back: the demo's past, arranged."""
    day = (
        (now() + timedelta(days=abs(days)))
        .astimezone(UK)
        .replace(hour=18, minute=30, second=0, microsecond=0)
    )
    where = meetings.TimeAndPlace(
        day, 120, "Trinity Road police station, Bristol", "https://teams.example/iag"
    )
    meeting = meetings.add(session, group, user, where)
    if days < 0:
        back = timedelta(days=2 * abs(days))
        meeting.starts_at, meeting.ends_at = meeting.starts_at - back, meeting.ends_at - back
    return meeting
