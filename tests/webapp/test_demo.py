"""The demo `make run` loads: staff in every role, and applications with full answers that together cover
every state, each taken there through the services staff and applicants use."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.helpers import StaffLogin, csrf_token, sign_in, text_of
from webapp.cli import DEMO_PASSWORD
from webapp.db import session_scope
from webapp.models import Application, Group, Source
from webapp.services import staff
from webapp.workflow import State


def _login(app, email: str) -> StaffLogin:
    with session_scope(app) as session:
        user = staff.find_by_email(session, email)
        user.totp_last_step = None
        return StaffLogin(user.id, email, DEMO_PASSWORD, user.totp_secret)


def test_the_demo_covers_every_state_with_full_answers_and_its_cases_open(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded demo data." in result.output and "acc@demo.invalid" in result.output
    with session_scope(app) as session:
        found = session.scalars(select(Application)).all()
        # Every state an application rests in (a draft is not one yet; "agreement signed" passes at once).
        assert {a.state for a in found} == set(State) - {State.DRAFT, State.AGREEMENT_SIGNED}
        pages = app.extensions["deployment"].application_pages
        required = [q.key for page in pages for q in page.questions if q.required]
        web = [a for a in found if a.source == Source.WEB]
        assert len(web) >= 12 and all(a.answers.get(key) for a in web for key in required)
        bristol = session.scalar(select(Group.id).where(Group.slug == "bristol"))
        cases = {a.id: a.state for a in found if a.group_id == bristol}
        appeal = next(a.id for a in found if a.state == State.APPEAL_LODGED)
    assert "Demo data already loaded." in runner.invoke(args=["seed-demo"]).output  # loaded once

    coordinator = app.test_client()
    sign_in(coordinator, _login(app, "coordinator@demo.invalid"))
    for case_id, state in cases.items():
        page = coordinator.get(f"/staff/applications/{case_id}")
        assert page.status_code == 200 and state.capitalize() in text_of(page), state
    panel = app.test_client()
    sign_in(panel, _login(app, "strategic.chair@demo.invalid"))
    assert "Propose the appeal's outcome" in text_of(panel.get(f"/staff/applications/{appeal}"))


def test_the_demo_has_members_with_meetings_papers_advice_and_an_open_call_out(app, runner):
    from tests.webapp.test_members import signed_in_member

    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0 and "kwame@example.org" in seeded.output
    printed = runner.invoke(args=["member-link", "kwame@example.org"])
    link = re.search(r"/members/sign-in/[\w-]+", printed.output).group(0)
    helped = app.test_client()
    assert (
        helped.post(
            link, data={"csrf_token": csrf_token(helped.get(link).get_data(as_text=True))}
        ).status_code
        == 302
    )
    assert "Your page" in text_of(helped.get("/members/"))
    assert runner.invoke(args=["member-link", "nobody@example.org"]).exit_code != 0
    member = signed_in_member(app, "kwame@example.org")
    page = text_of(member.get("/members/"))
    assert "You are asked for your advice" in page  # the open call-out
    assert (
        "Operation Lantern: briefing Confidential" in page and "Minutes of the last meeting (public)" in page
    )
    assert "Your answer: Yes, in person" in page
    log = text_of(member.get("/members/groups/bristol/advice"))
    assert "Figures by ward are now on the force website, monthly." in log and "Awaiting a response" in log
    coordinator = app.test_client()
    sign_in(coordinator, _login(app, "coordinator@demo.invalid"))
    register = text_of(coordinator.get("/staff/groups/bristol/members"))
    assert register.count("1 of 2 expected") >= 2 and "Below expected" in register
    call_outs = text_of(coordinator.get("/staff/groups/bristol/call-outs"))
    assert "Open, 1 of 3 answered" in call_outs
    assert "Before the next meeting" in text_of(coordinator.get("/staff/groups/bristol/messages"))
    assert "Election of the Vice Chair" in page
    assert "Vice chair, opened" in text_of(coordinator.get("/staff/groups/bristol/elections"))
    claims = text_of(coordinator.get("/staff/groups/bristol/expenses"))
    assert "Submitted" in claims and "Paid" in claims and "£10.30" in claims
