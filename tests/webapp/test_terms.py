"""Terms and renewal, on both databases, with time moved: a membership lasts the group's term from
joining; 60 days before it ends the member is asked (and reminded at 14 days if silent) and staff are
told; the member says they want to continue; staff renew it for another term, or end it with a reason,
which ends the member's access at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.given import given_member
from tests.helpers import csrf_token, text_of
from tests.review_journey import act, mails_to, staff_client
from tests.webapp.test_members import AMINA, signed_in_member
from webapp import clock
from webapp.clock import years_after
from webapp.db import session_scope
from webapp.models import Membership, Notification
from webapp.services import terms
from webapp.workflow import Role

REGISTER = "/staff/groups/bristol/members"


def _ask(app) -> int:
    with app.test_request_context(), session_scope(app) as session:
        return terms.send_asks(session)


def _term_ends_in(app, membership_id: int, days: int) -> None:
    """Time moved on: the term now ends `days` from today."""
    with session_scope(app) as session:
        session.get(Membership, membership_id).term_ends_on = clock.now().date() + timedelta(days=days)


def test_a_term_ends_the_member_is_asked_and_staff_renew_it(app):
    membership_id = given_member(app)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    with session_scope(app) as session:
        assert session.get(Membership, membership_id).term_ends_on == years_after(clock.now().date(), 3)
    assert _ask(app) == 0  # three years to go
    _term_ends_in(app, membership_id, 59)
    assert _ask(app) == 1 and _ask(app) == 0
    asked = mails_to(app, AMINA)[-1]
    assert asked.subject.startswith("Your membership of the Bristol IAG ends on ")
    with session_scope(app) as session:
        told = session.scalar(select(Notification).where(Notification.kind == "term ending"))
        assert told.summary.startswith("Amina Yusuf's term ends on ")
    _term_ends_in(app, membership_id, 13)
    assert _ask(app) == 1 and _ask(app) == 0  # the one reminder
    assert mails_to(app, AMINA)[-1].body_text.startswith("Hello Amina Yusuf,\n\nA reminder: your term")

    member = signed_in_member(app)
    home = text_of(member.get("/members/"))
    assert "Your term ends on" in home and "Tell us if you would like to continue" in home
    page = member.get("/members/groups/bristol/renewal")
    member.post(
        "/members/groups/bristol/renewal",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "wish": "continue"},
    )
    assert "wants to continue" in text_of(coordinator.get(REGISTER))
    act(coordinator, REGISTER, f"{REGISTER}/{membership_id}/renew")
    with session_scope(app) as session:
        renewed = session.get(Membership, membership_id)
        assert renewed.term_ends_on == years_after(clock.now().date() + timedelta(days=13), 3)
        assert renewed.renewal_wish is None and renewed.renewal_asked_at is None
    assert mails_to(app, AMINA)[-1].subject.startswith("Your membership of the Bristol IAG is renewed until ")


def test_a_membership_ended_at_the_end_of_its_term_ends_access_with_the_reason(app):
    membership_id = given_member(app)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    _term_ends_in(app, membership_id, -1)
    assert "Term ended" in text_of(coordinator.get(REGISTER))
    member = signed_in_member(app)
    act(
        coordinator,
        f"{REGISTER}/{membership_id}/left",
        data={"reason": "Term ended; did not want to continue"},
    )
    assert member.get("/members/").status_code == 302  # access ended at once
    assert "Term ended; did not want to continue" in text_of(coordinator.get(REGISTER))
    with session_scope(app) as session:
        ended = session.get(Membership, membership_id)
        assert ended.left_at is not None and ended.left_reason == "Term ended; did not want to continue"


def test_a_member_leaving_from_their_page_gives_a_reason_if_they_wish(app):
    membership_id = given_member(app)
    member = signed_in_member(app)
    page = member.get("/members/groups/bristol/leave")
    member.post(
        "/members/groups/bristol/leave",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "reason": "New job abroad"},
    )
    with session_scope(app) as session:
        assert session.get(Membership, membership_id).left_reason == "New job abroad"
