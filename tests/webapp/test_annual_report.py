"""A group's annual report, on both databases, against a seeded year: meetings held and the attendance
rate, call-outs and advice with the force's responses, members joined and left, an election, expenses
paid; the diversity of those who joined with no count under 5 shown; as a page and a tagged PDF."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from tests.given import given_members
from tests.helpers import text_of
from tests.review_journey import staff_client
from tests.webapp.test_pdf_accessibility import assert_accessible
from webapp.clock import UK, now
from webapp.db import session_scope
from webapp.models import (
    Advice,
    CallOut,
    Election,
    ExpenseClaim,
    Group,
    Meeting,
    MeetingResponse,
    Membership,
)
from webapp.workflow import Role


def _seed_last_year(app) -> int:
    """Last year for the Bristol IAG: 6 members joined (one left), 2 meetings (8 of 12 places), 1 call-out,
    2 pieces of advice, 1 election, £20.50 paid."""
    year = now().astimezone(UK).year - 1
    moment = datetime(year, 6, 1, 18, 0, tzinfo=UK)
    ids = given_members(app, 6)
    with session_scope(app) as session:
        group = session.scalar(select(Group).where(Group.slug == "bristol"))
        people = [session.get(Membership, i) for i in ids]
        for person in people:
            person.joined_at = moment - timedelta(days=30)
        people[-1].left_at = moment + timedelta(days=60)
        for day in (1, 90):
            meeting = Meeting(
                group_id=group.id,
                starts_at=moment + timedelta(days=day),
                ends_at=moment + timedelta(days=day, hours=2),
                place="HQ",
            )
            session.add(meeting)
            session.flush()
            # 4 present of 6 places, then 4 of 5 (one left before it): 8 of 11
            for person in people[:4]:
                session.add(
                    MeetingResponse(
                        meeting_id=meeting.id, membership_id=person.id, attendance="present in person"
                    )
                )
        session.add(
            CallOut(group_id=group.id, asked="?", urgency="today", answer_by=moment, opened_at=moment)
        )
        session.add(
            Advice(
                group_id=group.id,
                source="meeting",
                advice="Publish figures by ward",
                status="acted on",
                response="Done monthly",
                given_at=moment,
            )
        )
        session.add(Advice(group_id=group.id, source="email", advice="Use interpreters", given_at=moment))
        session.add(
            Election(
                group_id=group.id,
                office="chair",
                nominations_open_at=moment,
                nominations_close_at=moment,
                voting_open_at=moment,
                voting_close_at=moment,
                tie_rule="lot",
                counted_at=moment,
                result={"outcome": "elected", "turnout": 5, "eligible": 6, "votes": {}},
                winner_id=people[0].id,
            )
        )
        session.add(
            ExpenseClaim(
                membership_id=people[1].id,
                group_id=group.id,
                spent_on=moment.date(),
                purpose="x",
                total_pence=2050,
                status="paid",
                paid_at=moment,
            )
        )
        session.add(
            ExpenseClaim(
                membership_id=people[2].id,
                group_id=group.id,
                spent_on=moment.date(),
                purpose="x",
                total_pence=999,
                status="approved",
            )
        )
    return year


def test_the_annual_report_of_a_seeded_year(app, tmp_path):
    year = _seed_last_year(app)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page = text_of(coordinator.get(f"/staff/groups/bristol/annual-report?year={year}"))
    assert "2 meetings held, with an attendance rate of 73% (8 of 11 places)" in page
    assert "6 joined and 1 left during the year." in page
    assert "1 call-out; 2 pieces of advice recorded: 1 acted on; 1 awaiting a response." in page
    assert "Publish figures by ward" in page and "Acted on: Done monthly" in page
    assert "Chair: Member 0 (elected, 5 of 6 voted)" in page
    assert "£20.50 paid to members." in page
    assert "fewer than 5" in page  # nobody of them answered the equality form: every count protected
    pdf = coordinator.get(f"/staff/groups/bristol/annual-report.pdf?year={year}")
    assert pdf.mimetype == "application/pdf"
    assert_accessible(pdf.data, f"Bristol IAG: annual report {year}", tmp_path)
    other = staff_client(app, "sam@force.example", Role.CHAIR, "somerset")
    assert other.get(f"/staff/groups/bristol/annual-report?year={year}").status_code == 404
