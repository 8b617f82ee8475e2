"""Staff are told what needs them: by email at once, in a daily summary, or not at all, as each chooses;
"Waiting for you" and unread markers in the app. A notification never carries answers or equality data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.given import given_application
from tests.helpers import csrf_token, text_of
from tests.review_journey import (
    act,
    appealed,
    application_id,
    mails_to,
    reviewed,
    sent_for_signature,
    staff_client,
)
from tests.webapp.test_joining import sign
from webapp import clock
from webapp.db import session_scope
from webapp.models import Notification
from webapp.services import news
from webapp.workflow import Role

COORDINATOR, CHAIR, TEAM = "priya@force.example", "dele@force.example", "ops@force.example"


def notifications_for(app, address: str):
    return [m for m in mails_to(app, address) if m.purpose in {"notification", "digest"}]


def test_a_new_application_is_told_at_once_to_the_coordinator_and_in_the_chairs_daily_summary(app, runner):
    coordinator = staff_client(app, COORDINATOR, Role.POLICE_COORDINATOR, "bristol")
    staff_client(app, CHAIR, Role.CHAIR, "bristol")
    staff_client(app, "other@force.example", Role.POLICE_COORDINATOR, "somerset")
    reference = given_application(app, why_join="Because of what happened to my cousin.")
    [told] = notifications_for(app, COORDINATOR)
    assert told.subject == f"IAG new application: {reference}"
    assert f"New application {reference} to the Bristol IAG (web)" in told.body_text
    assert f"/staff/applications/{application_id(app, reference)}" in told.body_text
    assert "cousin" not in told.body_text and "Amina" not in told.body_text  # no answers, no name
    assert notifications_for(app, "other@force.example") == []  # not their group
    assert notifications_for(app, CHAIR) == []  # a chair hears once a day unless they choose otherwise
    result = runner.invoke(args=["send-digests"])
    assert "sent 1 daily summary" in result.output
    [summary] = notifications_for(app, CHAIR)
    assert summary.subject == "IAG: 1 thing needs you" and reference in summary.body_text
    assert "sent 0 daily summaries" in runner.invoke(args=["send-digests"]).output  # nothing twice
    assert reference in text_of(coordinator.get("/staff/waiting"))


def test_each_person_chooses_how_they_hear(app):
    coordinator = staff_client(app, COORDINATOR, Role.POLICE_COORDINATOR, "bristol")
    page = coordinator.get("/staff/notifications")
    assert "A new application in my group" in text_of(page)
    choices = {kind.name.lower(): "immediate" for kind in news.KINDS}
    choices["new_application"] = "off"
    saved = coordinator.post(
        "/staff/notifications", data={**choices, "csrf_token": csrf_token(page.get_data(as_text=True))}
    )
    assert saved.status_code == 302
    assert 'value="off" checked' in coordinator.get("/staff/notifications").get_data(as_text=True)
    given_application(app)
    assert notifications_for(app, COORDINATOR) == []
    with session_scope(app) as session:
        assert session.scalar(select(Notification)) is None


def test_the_other_decider_is_told_and_a_rejected_proposal_goes_back_with_the_reason(app, client):
    reference, url, coordinator, chair = reviewed(app, client)
    act(chair, "/staff/notifications", data={k.name.lower(): "immediate" for k in news.KINDS})
    act(coordinator, f"{url}/decide", data={"outcome": "offer", "reason": "A strong voice for young people."})
    [waiting] = [m for m in notifications_for(app, CHAIR) if "decision" in m.subject]
    assert f"A decision on {reference} (Bristol IAG) waits for you: offer" in waiting.body_text
    assert "A decision waits for you to agree or not" in text_of(chair.get("/staff/waiting"))
    assert "Waiting for you (1)" in text_of(chair.get("/staff/"))
    act(chair, f"{url}/reject-decision", data={"reject_reason": "Let us meet them first."})
    [back] = [m for m in notifications_for(app, COORDINATOR) if "not agreed" in m.subject]
    assert "was not agreed: Let us meet them first." in back.body_text


def test_appeals_and_signed_agreements_reach_the_panel_and_the_admin_team(app, client):
    panel = staff_client(app, "acc@force.example", Role.ASSISTANT_CHIEF_CONSTABLE, None)
    staff_client(app, TEAM, Role.ADMIN_TEAM, "bristol")
    reference, url, _coordinator, _chair = appealed(app, client)
    [appeal] = notifications_for(app, "acc@force.example")
    assert appeal.subject == f"IAG appeal lodged: {reference}"
    assert "I can do evenings now" not in appeal.body_text  # the reasons stay on the case
    assert "An appeal to decide" in text_of(panel.get("/staff/waiting"))
    strategic = staff_client(app, "sian@force.example", Role.STRATEGIC_IAG_CHAIR, None)
    act(panel, f"{url}/appeal", data={"outcome": "uphold", "reason": "Hours changed."})
    [waiting] = [m for m in notifications_for(app, "sian@force.example") if "waits for you" in m.body_text]
    assert "The appeal on" in waiting.body_text and "upheld" in waiting.body_text
    assert "An appeal waits for you to agree or not" in text_of(strategic.get("/staff/waiting"))


def test_a_signed_agreement_is_told_to_the_admin_team(app, client):
    staff_client(app, TEAM, Role.ADMIN_TEAM, "bristol")
    reference, _url, _coordinator, _invite, link = sent_for_signature(app, client)
    sign(client, link)
    [signed] = [m for m in notifications_for(app, TEAM) if "signed" in m.subject]
    assert f"{reference} (Bristol IAG) signed the confidentiality agreement" in signed.body_text


def test_a_case_older_than_the_reply_time_is_told_once(app, runner):
    staff_client(app, COORDINATOR, Role.POLICE_COORDINATOR, "bristol")
    # Applied on a Tuesday whatever day the suite runs: 20 working days on is the Tuesday four weeks later.
    to_tuesday = timedelta(days=(1 - clock.now().astimezone(clock.UK).weekday()) % 7)
    with clock.travel(to_tuesday):
        reference = given_application(app)
    with clock.travel(to_tuesday + timedelta(days=27)):  # the Monday before: 19 working days
        assert "Told of 0 overdue cases" in runner.invoke(args=["send-digests"]).output
    with clock.travel(to_tuesday + timedelta(days=29)):
        assert "Told of 1 overdue case;" in runner.invoke(args=["send-digests"]).output
        assert "Told of 0 overdue cases" in runner.invoke(args=["send-digests"]).output
    [late] = [m for m in notifications_for(app, COORDINATOR) if "overdue" in m.subject]
    assert f"{reference} (Bristol IAG) is older than the reply time of 20 working days" in late.body_text
