"""Made-up details for previewing an email's wording (the admin screen's preview, and `wording.check`):
every value any email uses, none of them a real person's; nothing here is added to the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now, uk_time
from webapp.models import (
    Appeal,
    Applicant,
    Application,
    CallOut,
    Decision,
    Discussion,
    Election,
    ExpenseClaim,
    Group,
    Meeting,
    Member,
    StaffUser,
)


def sample(session: Session) -> dict[str, Any]:
    """Made-up details for a preview: every value any email uses, none of them a real person's.
    The group is named after the force's first group open to applicants; nothing here is added to the
    database."""
    first = session.scalar(
        select(Group).order_by(Group.open_to_applicants.desc(), Group.position, Group.id).limit(1)
    )
    group = Group(
        slug="example",
        name=first.name if first else "Example IAG",
        meeting_place=first.meeting_place if first else "Police headquarters",
    )
    other = Group(slug="other", name="Another IAG")
    moment = now().replace(hour=18, minute=30, second=0, microsecond=0) + timedelta(days=14)
    application = Application(
        reference="IAG-ABCD-EFGH",
        applicant=Applicant(name="Sam Example", email="sam@example.org"),
        group=group,
    )
    return {
        "application": application,
        "member": Member(name="Sam Example", email="sam@example.org"),
        "meeting": Meeting(
            id=1, starts_at=moment, ends_at=moment + timedelta(hours=2), place=group.meeting_place
        ),
        "minutes": 15,
        "claim": ExpenseClaim(
            id=1, spent_on=moment.date(), purpose="Travel to the meeting", status="approved", reason=""
        ),
        "total": "£12.60",
        "ends": uk_time(moment),
        "until": uk_time(moment),
        "reminder": False,
        "status": "approved",
        "election": Election(id=1, office="chair"),
        "office": "Chair",
        "nominations_close": uk_time(moment),
        "voting_open": uk_time(moment),
        "voting_close": uk_time(moment),
        "nominated_by": "Sam Example",
        "call_out": CallOut(
            id=1, asked="What the members are asked, in the staff's words.", urgency="today", answer_by=moment
        ),
        "changed": False,
        "first": application,
        "group": group,
        "referred": other,
        "token": "example",
        "decision": Decision(
            outcome="offer", reason="The reason the Chair and the Coordinator gave for their decision."
        ),
        "appeal": Appeal(reasons="", letter="The appeals panel's letter to the applicant."),
        "appeal_by": uk_time(moment),
        "discussion": Discussion(
            starts_at=moment, duration_minutes=60, place=group.meeting_place, online_link=""
        ),
        "rescheduling": False,
        "language_name": "",  # the language an email was written in, when it is neither English nor Welsh
        "what": "Freedom of Information request",
        "contact": "FreedomOfInformation@force.example",
        "web_page": False,  # the contact is a web page (a complaints form), not an address
        "when": uk_time(moment),
        "meetings": [Meeting(starts_at=moment, place=group.meeting_place, online_link="")],
        "expires": moment,
        "user": StaffUser(name="Jo Bloggs", email="jo@example.org"),
        "person": StaffUser(name="Jo Bloggs", email="jo@example.org"),
        "news": _SampleNews(f"A reply on {application.reference} ({group.name})"),
        "case_path": "/staff/applications/1",
        "lines": [(f"A reply on {application.reference} ({group.name})", "/staff/applications/1")],
    }


@dataclass(frozen=True)
class _SampleNews:
    summary: str
