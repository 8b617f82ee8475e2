"""The review workflow through the staff pages, on both databases: discussion invitations with calendar files,
decisions that need the Chair and the Police Coordinator, letters, referral with consent, appeals and
withdrawal."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from sqlalchemy import func, select

from tests.given import given_application
from tests.helpers import csrf_token, text_of
from tests.review_journey import (
    APPLICANT,
    act,
    appealed,
    application_id,
    attachment_bytes,
    discussion_took_place,
    invite_data,
    mails_to,
    pdf_text,
    reviewed,
    staff_client,
    state_of,
    status_token,
)
from webapp import clock
from webapp.db import session_scope
from webapp.models import Application, Decision, Event, Group, Referral
from webapp.workflow import Role


def test_invite_hold_propose_and_confirm_an_offer(app, client):
    reference, url, coordinator, chair = reviewed(app, client)

    response = act(coordinator, f"{url}/invite", data=invite_data())
    assert response.status_code == 302
    assert state_of(app, reference) == "discussion invited"
    invitation = mails_to(app, APPLICANT)[-1]
    assert "informal discussion" in invitation.subject and "6:30pm" in invitation.body_text
    assert invitation.headers.get("In-Reply-To")  # in the thread of the confirmation email
    calendar = icalendar.Calendar.from_ical(attachment_bytes(app, invitation, "text/calendar"))
    event = next(iter(calendar.walk("VEVENT")))
    assert calendar["METHOD"] == "REQUEST"
    assert event["LOCATION"] == "Trinity Road police station, Bristol"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
    assert event.decoded("DTSTART").astimezone(clock.UK).strftime("%H:%M") == "18:30"

    early = act(coordinator, url, f"{url}/discussion-held")
    assert early.status_code == 409 and "The discussion has not happened yet" in text_of(early)
    assert "Discussion held" not in text_of(coordinator.get(url))
    discussion_took_place(app, reference)
    act(coordinator, url, f"{url}/discussion-held")
    assert state_of(app, reference) == "discussion held"

    reason = "Your links with young people in Easton are just what the group needs."
    act(chair, f"{url}/decide", data={"outcome": "offer", "reason": reason})
    assert state_of(app, reference) == "decision proposed"
    page = text_of(chair.get(url))
    assert "Waiting for the second decider" in page and "Agree and send the decision" not in page
    sent_before = len(mails_to(app, APPLICANT))

    # The proposer cannot confirm their own proposal, even by posting directly.
    refused = act(chair, url, f"{url}/confirm-decision")
    assert refused.status_code == 409 and "other decider" in text_of(refused)
    assert state_of(app, reference) == "decision proposed"
    assert len(mails_to(app, APPLICANT)) == sent_before  # nothing reached the applicant

    assert "Agree and send the decision" in text_of(coordinator.get(url))
    act(coordinator, url, f"{url}/confirm-decision")
    assert state_of(app, reference) == "offered"
    offer = mails_to(app, APPLICANT)[-1]
    assert offer.subject == f"Decision on your application {reference}"
    assert "offer you a place" in offer.body_text and reason in offer.body_text
    letter = pdf_text(attachment_bytes(app, offer, "application/pdf"))
    assert reference in letter and "offer you a place" in letter
    with session_scope(app) as session:
        decision = session.scalar(select(Decision))
        assert (decision.proposed_role, decision.confirmed_role) == ("chair", "police coordinator")
    assert "Decision: Offer" in text_of(coordinator.get(url))


def test_one_person_holding_both_roles_still_needs_a_second_person(app, client):
    reference = given_application(app)
    url = f"/staff/applications/{application_id(app, reference)}"
    both = staff_client(app, "both@force.example", Role.CHAIR, "bristol")
    with session_scope(app) as session:
        from webapp.models import StaffRole, StaffUser

        user = session.scalar(select(StaffUser).where(StaffUser.email == "both@force.example"))
        bristol = session.scalar(select(Group).where(Group.slug == "bristol"))
        session.add(StaffRole(user_id=user.id, group_id=bristol.id, role=Role.POLICE_COORDINATOR))
    act(both, url, f"{url}/start-review")
    act(both, f"{url}/decide", data={"outcome": "unsuccessful", "reason": "Not enough time to give."})
    refused = act(both, url, f"{url}/confirm-decision")
    assert refused.status_code == 409
    assert state_of(app, reference) == "decision proposed"


def test_the_second_decider_can_disagree_and_the_review_goes_on(app, client):
    reference, url, coordinator, chair = reviewed(app, client)
    act(coordinator, f"{url}/decide", data={"outcome": "unsuccessful", "reason": "Too few meetings."})
    act(chair, f"{url}/reject-decision", data={"reject_reason": "Let us meet them first."})
    assert state_of(app, reference) == "in review"
    case = text_of(coordinator.get(url))  # the proposer reads why, on the case
    assert (
        "A proposal was set aside. Dele did not agree with the proposal (Unsuccessful) made by Priya" in case
    )
    assert "Why: Let us meet them first." in case
    with session_scope(app) as session:
        event = session.scalar(select(Event).where(Event.action == "reject proposal"))
        assert event.detail["reason"] == "Let us meet them first."
    act(coordinator, f"{url}/decide", data={"outcome": "offer", "reason": "Met them: welcome."})
    assert "A proposal was set aside" not in text_of(coordinator.get(url))


def test_bad_inputs_get_clear_messages_and_change_nothing(app, client):
    reference, url, _coordinator, chair = reviewed(app, client)
    cases = [
        (f"{url}/invite", invite_data(days_ahead=-2), "The discussion must be in the future"),
        (f"{url}/invite", invite_data(place="", online_link=""), "Enter a place, an online link, or both"),
        (f"{url}/invite", invite_data(online_link="http://x.example"), "starts with https://"),
        (f"{url}/invite", invite_data(start="25:99"), "Enter a time, like 6:30pm or 18:30"),
        (f"{url}/invite", invite_data(date=["31", "2", "2027"]), "Enter a real date, like 27 3 2026"),
        (f"{url}/decide", {"reason": "x"}, "Choose a decision"),
        (f"{url}/decide", {"outcome": "offer", "reason": "  "}, "Enter the reason for the decision"),
        (f"{url}/decide", {"outcome": "refer", "reason": "Better fit."}, "Choose the group to refer"),
    ]
    for page_url, data, message in cases:
        response = act(chair, page_url, data=data)
        assert response.status_code == 422, (page_url, data)
        assert message in text_of(response), (message, text_of(response)[:400])
        assert "There is a problem" in text_of(response)
    assert state_of(app, reference) == "in review"
    assert len(mails_to(app, APPLICANT)) == 1  # only the confirmation of the application


def test_referral_with_consent_passes_the_application_to_the_other_group(app, client):
    reference, url, coordinator, chair = reviewed(app, client)
    with session_scope(app) as session:
        somerset = session.scalar(select(Group).where(Group.slug == "somerset"))
        somerset_id, somerset_name = somerset.id, somerset.name
    act(
        chair,
        f"{url}/decide",
        data={"outcome": "refer", "reason": "Closer to home.", "referred_group": somerset_id},
    )
    act(coordinator, url, f"{url}/confirm-decision")
    assert state_of(app, reference) == "referred"
    letter = mails_to(app, APPLICANT)[-1]
    assert somerset_name in letter.body_text and "unless you say yes" in letter.body_text

    somerset_chair = staff_client(app, "sam@force.example", Role.CHAIR, "somerset")
    assert "Amina Yusuf" not in text_of(somerset_chair.get("/staff/"))  # nothing passed on before consent

    token = status_token(letter)
    status = client.get(f"/my-application/{token}")
    assert "Tell us if we can pass your application on" in text_of(status)
    csrf = csrf_token(client.get(f"/my-application/{token}/referral").get_data(as_text=True))
    refused = act(client, f"/my-application/{token}/referral", data={})
    assert refused.status_code == 422 and "Choose yes or no" in text_of(refused)
    act(client, f"/my-application/{token}/referral", data={"consent": "yes"})

    with session_scope(app) as session:
        linked = session.scalar(select(Application).where(Application.referred_from_id.is_not(None)))
        assert linked.group_id == somerset_id and linked.state == "submitted"
        assert linked.answers["why_join"].startswith("I want young people")
        new_reference, linked_id = linked.reference, linked.id
        assert session.scalar(select(Referral.to_application_id)) == linked_id
    assert new_reference in text_of(somerset_chair.get("/staff/"))
    assert somerset_chair.get(url).status_code == 404  # the first application stays with Bristol
    assert new_reference in mails_to(app, APPLICANT)[-1].body_text
    assert state_of(app, reference) == "referred"
    # Answering again (a second tab, the back button) passes nothing on twice.
    assert client.get(f"/my-application/{token}/referral").status_code == 302
    again = client.post(f"/my-application/{token}/referral", data={"consent": "yes", "csrf_token": csrf})
    assert again.status_code == 302
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 2


def test_referral_refused_passes_nothing_on(app, client):
    _reference, url, coordinator, chair = reviewed(app, client)
    with session_scope(app) as session:
        somerset_id = session.scalar(select(Group.id).where(Group.slug == "somerset"))
    act(chair, f"{url}/decide", data={"outcome": "refer", "reason": "Closer.", "referred_group": somerset_id})
    act(coordinator, url, f"{url}/confirm-decision")
    token = status_token(mails_to(app, APPLICANT)[-1])
    act(client, f"/my-application/{token}/referral", data={"consent": "no"})
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 1
        assert session.scalar(select(Referral.consent_refused_at)) is not None


def test_unsuccessful_then_appeal_upheld_by_the_strategic_chair_and_the_acc(app, client):
    reference, url, coordinator, chair = reviewed(app, client)
    act(
        coordinator, f"{url}/decide", data={"outcome": "unsuccessful", "reason": "We need more evening time."}
    )
    act(chair, url, f"{url}/confirm-decision")
    assert state_of(app, reference) == "unsuccessful"
    letter = mails_to(app, APPLICANT)[-1]
    assert "You can appeal against this decision until" in letter.body_text
    assert "We need more evening time." in pdf_text(attachment_bytes(app, letter, "application/pdf"))

    panel = staff_client(app, "acc@force.example", Role.ASSISTANT_CHIEF_CONSTABLE, None)
    strategic = staff_client(app, "sian@force.example", Role.STRATEGIC_IAG_CHAIR, None)
    assert reference not in text_of(panel.get("/staff/"))  # the panel sees only appeals
    assert panel.get(url).status_code == 404

    token = status_token(letter)
    assert "Appeal against the decision" in text_of(client.get(f"/my-application/{token}"))
    empty = act(client, f"/my-application/{token}/appeal", data={"reasons": " "})
    assert empty.status_code == 422 and "Tell us why" in text_of(empty)
    act(client, f"/my-application/{token}/appeal", data={"reasons": "I can do evenings now."})
    assert state_of(app, reference) == "appeal lodged"
    assert "received your appeal" in mails_to(app, APPLICANT)[-1].body_text

    assert reference in text_of(panel.get("/staff/"))
    assert "I can do evenings now." in text_of(panel.get(f"{url}/appeal"))
    refused = act(coordinator, url, f"{url}/confirm-decision")
    assert refused.status_code == 409
    act(panel, f"{url}/appeal", data={"outcome": "uphold", "reason": "The applicant's hours have changed."})
    assert state_of(app, reference) == "appeal lodged"  # one of two: nothing is sent yet
    case = text_of(panel.get(url))
    assert "Waiting for the other member of the appeals panel" in case and "Agree and send" not in case
    assert act(panel, url, f"{url}/confirm-appeal").status_code == 409  # not the proposer
    assert "received your appeal" in mails_to(app, APPLICANT)[-1].body_text
    assert "Agree and send the appeal's outcome" in text_of(strategic.get(url))
    act(strategic, url, f"{url}/confirm-appeal")
    assert state_of(app, reference) == "appeal upheld"
    upheld = mails_to(app, APPLICANT)[-1]
    assert "upheld it" in upheld.body_text
    assert "hours have changed" in pdf_text(attachment_bytes(app, upheld, "application/pdf"))


def test_an_appeal_after_the_window_is_refused_kindly(app, client):
    reference, url, coordinator, chair = reviewed(app, client)
    act(coordinator, f"{url}/decide", data={"outcome": "unsuccessful", "reason": "Not this time."})
    act(chair, url, f"{url}/confirm-decision")
    token = status_token(mails_to(app, APPLICANT)[-1])
    with clock.travel(timedelta(days=app.config["APPEAL_DAYS"] + 1)):
        assert "Appeal against the decision" not in text_of(client.get(f"/my-application/{token}"))
        page = client.get(f"/my-application/{token}/appeal")
        assert "The time to appeal has passed" in text_of(page)
    assert state_of(app, reference) == "unsuccessful"


def test_staff_record_a_withdrawal_the_applicant_asked_for(app, client):
    reference, url, coordinator, _chair = reviewed(app, client)
    empty = act(coordinator, f"{url}/withdraw", data={"how": ""})
    assert empty.status_code == 422
    act(coordinator, f"{url}/withdraw", data={"how": "Phone call on Monday"})
    assert state_of(app, reference) == "withdrawn"
    assert "You have withdrawn your application" in mails_to(app, APPLICANT)[-1].body_text
    with session_scope(app) as session:
        event = session.scalar(select(Event).where(Event.action == "withdraw"))
        assert "Phone call on Monday" in event.detail["by"]


def test_the_chair_and_the_coordinator_each_record_a_recommendation(app, client):
    _reference, url, coordinator, chair = reviewed(app, client)
    act(chair, url, f"{url}/notes", {"body": "Strong community links.", "recommendation": "offer"})
    act(coordinator, url, f"{url}/notes", {"body": "Let us meet first.", "recommendation": "discuss"})
    page = text_of(chair.get(url))
    assert "Recommends: Offer a place" in page and "Recommends: Invite to an informal discussion" in page
    odd = act(chair, url, f"{url}/notes", {"body": "x", "recommendation": "promote"})
    assert odd.status_code == 422 and "Not a valid choice" in text_of(odd)


def test_a_withdrawal_while_a_decision_is_proposed_leaves_nothing_waiting(app, client):
    reference, url, coordinator, chair = reviewed(app, client)
    act(chair, f"{url}/decide", data={"outcome": "offer", "reason": "Welcome."})
    assert "Waiting for the second decider" in text_of(coordinator.get(url))
    act(coordinator, f"{url}/withdraw", data={"how": "Email from the applicant"})
    assert state_of(app, reference) == "withdrawn"
    page = text_of(coordinator.get(url))
    assert "Waiting for the second decider" not in page and "Agree and send the decision" not in page


def test_the_letter_is_previewed_before_it_is_agreed_and_sent(app, client):
    from tests.review_journey import pdf_text

    reference, url, coordinator, chair = reviewed(app, client)
    assert client.get(f"{url}/decision-letter.pdf").status_code in (302, 401)  # staff only
    assert coordinator.get(f"{url}/decision-letter.pdf").headers["Location"] == url  # nothing proposed yet
    act(chair, f"{url}/decide", data={"outcome": "unsuccessful", "reason": "Not enough time to give."})
    case = text_of(coordinator.get(url))
    assert "The letter the applicant will get" in case
    assert "Why Not enough time to give." in case and "You can appeal against this decision until" in case
    assert mails_to(app, "amina@example.org")[-1].subject.startswith("Application received")  # none sent
    preview = coordinator.get(f"{url}/decision-letter.pdf")
    assert preview.mimetype == "application/pdf"
    printed = pdf_text(preview.data)
    assert "Unsuccessful application" in printed and "Not enough time to give." in printed
    assert reference in printed and "the-applicants-own-link" not in printed
    act(coordinator, url, f"{url}/confirm-decision")
    assert mails_to(app, "amina@example.org")[-1].subject == f"Decision on your application {reference}"


def test_an_applicant_who_did_not_attend_is_recorded_and_the_review_goes_on(app, client):
    reference, url, coordinator, _chair = reviewed(app, client)
    act(coordinator, f"{url}/invite", data=invite_data(days_ahead=3))
    assert act(coordinator, url, f"{url}/did-not-attend").status_code == 409  # not before the time
    discussion_took_place(app, reference)
    page = text_of(coordinator.get(url))
    assert "Did not attend" in page and "Discussion held" in page
    act(coordinator, url, f"{url}/did-not-attend")
    assert state_of(app, reference) == "in review"
    page = text_of(coordinator.get(url))
    assert "did not attend" in page and "Invite to a discussion" in page  # invite again, or decide
    assert "Propose a decision" in page


def test_the_other_member_of_the_panel_can_set_an_appeals_proposal_aside(app, client):
    reference, url, _coordinator, _chair = appealed(app, client)
    strategic = staff_client(app, "sian@force.example", Role.STRATEGIC_IAG_CHAIR, None)
    acc = staff_client(app, "acc@force.example", Role.ASSISTANT_CHIEF_CONSTABLE, None)
    act(strategic, f"{url}/appeal", data={"outcome": "dismiss", "reason": "Nothing has changed."})
    again = act(acc, f"{url}/appeal", data={"outcome": "uphold", "reason": "Mine instead."})
    assert again.status_code == 409  # one proposal at a time
    act(acc, f"{url}/reject-appeal-proposal", data={"reject_reason": "Hours have changed: read again."})
    assert state_of(app, reference) == "appeal lodged"
    case = text_of(strategic.get(url))
    assert "Waiting for the other member" not in case and "Propose the appeal's outcome" in case
    with session_scope(app) as session:
        event = session.scalar(select(Event).where(Event.action == "reject appeal proposal"))
        assert event.detail["reason"] == "Hours have changed: read again."
    assert not mails_to(app, APPLICANT)[-1].subject.startswith("Your appeal:")  # no letter yet
