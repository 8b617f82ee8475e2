"""Declarations of interest, on both databases: a member keeps their register (what, since when; ended),
confirms it each year (asked by email when due, at most once a year), and declares at a meeting's
invitation an interest touching its agenda, which staff see on the meeting; staff see the register."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.given import given_member
from tests.helpers import csrf_token, text_of
from tests.review_journey import act, invite_data, mails_to, staff_client
from tests.webapp.test_members import AMINA, signed_in_member
from webapp import clock
from webapp.db import session_scope
from webapp.models import Meeting, Member
from webapp.services import interests
from webapp.workflow import Role


def _remind(app) -> int:
    with app.test_request_context(), session_scope(app) as session:
        return interests.send_reminders(session)


def test_a_member_keeps_and_confirms_their_register_and_declares_at_a_meeting(app):
    membership_id = given_member(app)
    member = signed_in_member(app)
    page = member.get("/members/interests")
    assert "Please check it and confirm it is complete." in text_of(page)
    token = csrf_token(page.get_data(as_text=True))
    today = clock.now().astimezone(clock.UK)
    since = [str(today.day), str(today.month), str(today.year - 2)]
    missing = member.post("/members/interests", data={"csrf_token": token, "what": "", "since": since})
    assert missing.status_code == 422 and "Say what the interest is" in text_of(missing)
    member.post(
        "/members/interests",
        data={"csrf_token": token, "what": "Trustee of Easton Youth Club", "since": since},
    )
    member.post("/members/interests", data={"csrf_token": token, "what": "Brother is a PCSO", "since": since})
    listed = member.get("/members/interests").get_data(as_text=True)
    end = re.search(r'action="(/members/interests/\d+/end)"', listed).group(1)
    given_member(app, name="Bob Jones", email="bob@example.org")
    bob = signed_in_member(app, "bob@example.org")
    bob_token = csrf_token(bob.get("/members/interests").get_data(as_text=True))
    refused = bob.post(end, data={"csrf_token": bob_token}, follow_redirects=True)
    assert "That interest is not on your register" in text_of(refused)  # not someone else's
    assert "It has ended" in text_of(member.get("/members/interests"))  # still held
    member.post(end, data={"csrf_token": token})
    member.post("/members/interests/confirm", data={"csrf_token": token})
    text = text_of(member.get("/members/interests"))
    assert "You confirmed it on" in text and "Trustee of Easton Youth Club" in text and "ended" in text

    asked = "Please check your register of interests"
    assert _remind(app) == 1  # Bob, who has never confirmed; not Amina, who confirmed this year
    assert asked not in [m.subject for m in mails_to(app, AMINA)]
    with session_scope(app) as session:
        session.scalar(select(Member).where(Member.email == AMINA)).interests_confirmed_at = (
            clock.now() - timedelta(days=400)
        )
    assert _remind(app) == 1 and _remind(app) == 0  # her turn, once a year
    assert mails_to(app, AMINA)[-1].subject == asked

    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    act(coordinator, "/staff/groups/bristol/meetings", data=invite_data(days_ahead=5))
    with session_scope(app) as session:
        meeting_id = session.scalar(select(Meeting.id))
    invitation = member.get(f"/members/meetings/{meeting_id}")
    assert "Any interest to declare for this meeting's agenda?" in text_of(invitation)
    member.post(
        f"/members/meetings/{meeting_id}",
        data={
            "csrf_token": csrf_token(invitation.get_data(as_text=True)),
            "answer": "in person",
            "interest": "Item 3 is about the youth club I am a trustee of.",
        },
    )
    answers = text_of(coordinator.get(f"/staff/groups/bristol/meetings/{meeting_id}/attendance"))
    assert "interest declared: Item 3 is about the youth club I am a trustee of." in answers
    register = text_of(coordinator.get(f"/staff/groups/bristol/members/{membership_id}/timeline"))
    assert "Trustee of Easton Youth Club" in register and "Confirmed as up to date on" in register
