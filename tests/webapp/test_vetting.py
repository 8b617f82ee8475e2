"""Vetting where a group requires it, on both databases: staff record a member's status, level and dates
(never the vetting itself); a confidential paper of a group that requires vetting reaches only members
whose vetting is current (not before it is granted, not after it expires), nor by a message to members;
members are reminded before it expires; the register shows it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.given import given_member
from tests.helpers import text_of
from tests.review_journey import act, mails_to, staff_client
from tests.webapp.test_member_meetings import _add_paper, _pdf
from tests.webapp.test_members import AMINA, signed_in_member
from webapp import clock
from webapp.db import session_scope
from webapp.models import Group, Membership, Paper, Vetting
from webapp.services import vetting
from webapp.workflow import Role


def _day(days: int) -> list[str]:
    moment = (clock.now() + timedelta(days=days)).astimezone(clock.UK)
    return [str(moment.day), str(moment.month), str(moment.year)]


def test_a_confidential_paper_reaches_only_members_whose_vetting_is_current(app):
    with session_scope(app) as session:
        session.scalar(select(Group).where(Group.slug == "bristol")).vetting = "NPPV2"
    membership_id = given_member(app)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    _add_paper(coordinator, "Operation briefing", _pdf("Operation Hawk"), "briefing.pdf")
    member = signed_in_member(app)
    home = member.get("/members/").get_data(as_text=True)
    assert "Operation briefing" in home and "for members whose vetting is current" in home
    assert "/members/papers/" not in home  # no link to it
    with session_scope(app) as session:
        paper_id = session.scalar(select(Paper.id))
    assert member.get(f"/members/papers/{paper_id}").status_code == 404
    register = "/staff/groups/bristol/members"
    assert "Vetting (NPPV2)" in text_of(coordinator.get(register)) and "Not recorded" in text_of(
        coordinator.get(register)
    )

    page = f"/staff/groups/bristol/members/{membership_id}/vetting"
    no_date = act(coordinator, page, data={"status": "granted", "level": "NPPV2"})
    assert no_date.status_code == 422 and "Enter the date it was granted" in text_of(no_date)
    act(
        coordinator,
        page,
        data={"status": "granted", "level": "NPPV2", "granted_on": _day(-300), "expires_on": _day(30)},
    )
    assert "Granted, expires" in text_of(coordinator.get(register))
    assert member.get(f"/members/papers/{paper_id}").status_code == 200  # current: it reaches her

    with app.test_request_context(), session_scope(app) as session:
        assert vetting.send_reminders(session) == 1 and vetting.send_reminders(session) == 0
    assert mails_to(app, AMINA)[-1].subject.startswith("Your vetting expires on ")

    with session_scope(app) as session:  # its expiry has passed
        session.scalar(select(Vetting)).expires_on = clock.now().date() - timedelta(days=1)
    assert member.get(f"/members/papers/{paper_id}").status_code == 404
    assert "Expired" in text_of(coordinator.get(register))
    messages = "/staff/groups/bristol/messages"
    form = coordinator.get(messages).get_data(as_text=True)
    ids = re.findall(r'name="members" type="checkbox" value="(\d+)"', form)
    act(
        coordinator,
        messages,
        data={"subject": "Briefing", "body": "Please read.", "members": ids, "paper_id": str(paper_id)},
    )
    sent = mails_to(app, AMINA)[-1]
    assert sent.attachments == [] and "for members whose vetting is current" in sent.body_text
    with session_scope(app) as session:
        assert session.get(Membership, membership_id) is not None


def test_a_group_without_vetting_is_unchanged(app):
    given_member(app)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    assert "Vetting" not in text_of(coordinator.get("/staff/groups/bristol/members"))
    _add_paper(coordinator, "Operation briefing", _pdf("Operation Hawk"), "briefing.pdf")
    home = signed_in_member(app).get("/members/").get_data(as_text=True)
    assert "/members/papers/" in home and "vetting is current" not in home
