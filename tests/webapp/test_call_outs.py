"""Between meetings, on both databases: a critical-incident call-out to the members a search finds, an
urgent email to each and a text message through GOV.UK Notify (its HTTP API faked on loopback), answers on
the members' page as they come, extending and closing with a summary that goes into the advice log ("you
said, we did"), which members read; and a message to members with a stamped confidential paper."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.given import given_member
from tests.helpers import csrf_token, text_of
from tests.notify_fake import FakeNotify
from tests.review_journey import act, mails_to, staff_client
from tests.webapp.test_members import AMINA, signed_in_member
from webapp import clock, outgoing
from webapp.clock import UK
from webapp.db import session_scope
from webapp.models import CallOut, Event, Member, SmsMessage
from webapp.workflow import Role

CALL_OUTS = "/staff/groups/bristol/call-outs"


def _answer_by(hours: int, moment=None) -> dict:
    moment = moment or (clock.now() + timedelta(hours=hours)).astimezone(UK)
    return {"date": [str(moment.day), str(moment.month), str(moment.year)], "time": moment.strftime("%H:%M")}


def _with_details(app, email: str, **details) -> None:
    with session_scope(app) as session:
        member = session.scalar(select(Member).where(Member.email == email))
        for name, value in details.items():
            setattr(member, name, value)


@pytest.fixture
def notify():
    with FakeNotify() as fake:
        yield fake


def test_a_call_out_reaches_the_members_found_by_email_and_text_and_their_answers_come_back(app, notify):
    app.config.update(notify.settings())
    given_member(app)
    given_member(app, name="Bob Jones", email="bob@example.org")
    given_member(app, name="Cara Lee", email="cara@example.org")
    _with_details(app, AMINA, phone="+447700900982", skills="Youth work", availability="any time")
    _with_details(
        app, "bob@example.org", phone="+447700900123", skills="Youth work", availability="working hours"
    )
    _with_details(app, "cara@example.org", skills="Faith leaders", availability="any time")
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    found = coordinator.get(f"{CALL_OUTS}?words=youth+work")
    page = text_of(found)
    assert "Amina Yusuf" in page and "Bob Jones" in page and "Cara Lee" not in page
    url = f"{CALL_OUTS}?words=youth+work"
    missing = act(coordinator, url, url, {"urgency": "within hours", **_answer_by(4)})
    assert missing.status_code == 422 and "Say what the members are asked" in text_of(missing)
    ids = re.findall(r'name="members" type="checkbox" value="(\d+)"', found.get_data(as_text=True))
    asked = "After last night's incident in Easton, what should officers know before tomorrow's patrols?"
    sent = act(
        coordinator, url, url, {"asked": asked, "urgency": "within hours", "members": ids, **_answer_by(4)}
    )
    assert sent.status_code == 302
    call_out_page = sent.headers["Location"]

    email = mails_to(app, AMINA)[-1]
    assert email.subject.startswith("Urgent: the Bristol IAG is asked for advice by ")
    assert asked in email.body_text and email.headers["Importance"] == "high"
    assert [m for m in mails_to(app, "cara@example.org") if "Urgent" in m.subject] == []
    outgoing.send_due(app)
    assert sorted(text["phone_number"] for text in notify.sent) == ["+447700900123", "+447700900982"]
    assert notify.refused == []
    (amina_text,) = [t for t in notify.sent if t["phone_number"] == "+447700900982"]
    assert (
        "Urgent from Avon and Somerset Police: the Bristol IAG is asked for advice by"
        in amina_text["personalisation"]["message"]
    )
    assert "/members/call-outs/" in amina_text["personalisation"]["message"]

    member = signed_in_member(app)
    assert "You are asked for your advice" in text_of(member.get("/members/"))
    link = re.search(r"/members/call-outs/\d+", email.body_text).group(0)
    form = member.get(link)
    assert asked in text_of(form) and "Within hours" in text_of(form)
    token = csrf_token(form.get_data(as_text=True))
    no_advice = member.post(link, data={"csrf_token": token, "answer": "advice", "advice": " "})
    assert no_advice.status_code == 422 and "Write your advice" in text_of(no_advice)
    member.post(
        link, data={"csrf_token": token, "answer": "advice", "advice": "Talk to the youth club first."}
    )
    answers = text_of(coordinator.get(call_out_page))
    assert "Answered 1 of 2" in answers and "Talk to the youth club first." in answers
    assert "First answer after" in answers and "none yet" not in answers.split("First answer after")[1][:20]
    refreshing = coordinator.get(call_out_page + "?refresh=30").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="30">' in refreshing  # chosen by staff, never by default
    assert '<meta http-equiv="refresh"' not in coordinator.get(call_out_page).get_data(as_text=True)

    later = (clock.now() + timedelta(hours=30)).astimezone(UK).replace(second=0, microsecond=0)
    act(coordinator, call_out_page, f"{call_out_page}/extend", _answer_by(30, later))
    assert f"Answer by {clock.uk_time(later)} (UK time)" in text_of(coordinator.get(call_out_page))
    act(
        coordinator,
        call_out_page,
        f"{call_out_page}/close",
        {"summary": "Members advised talking to the youth club."},
    )
    assert "This call-out has closed" in text_of(member.get(link))
    assert "You are asked for your advice" not in text_of(member.get("/members/"))
    with session_scope(app) as session:
        actions = {e.action for e in session.scalars(select(Event).where(Event.action.like("call-out%")))}
        assert actions == {"call-out opened", "call-out answered", "call-out extended", "call-out closed"}
        assert session.scalar(select(CallOut.closed_at)) is not None

    log = text_of(member.get("/members/groups/bristol/advice"))
    assert "Members advised talking to the youth club." in log and "Awaiting a response" in log
    advice_page = text_of(coordinator.get("/staff/groups/bristol/advice"))
    assert "Members advised talking to the youth club." in advice_page
    response_url = re.search(
        r"/staff/groups/bristol/advice/\d+",
        coordinator.get("/staff/groups/bristol/advice").get_data(as_text=True),
    ).group(0)
    no_reason = act(coordinator, response_url, data={"status": "acted on", "response": ""})
    assert no_reason.status_code == 422 and "Say what the force did, and why" in text_of(no_reason)
    act(
        coordinator,
        response_url,
        data={"status": "acted on", "response": "Patrols met the youth club on Friday."},
    )
    log = text_of(member.get("/members/groups/bristol/advice"))
    assert "Acted on" in log and "Patrols met the youth club on Friday." in log


def test_a_text_message_is_retried_when_notify_fails_and_never_lost(app, notify):
    app.config.update(notify.settings())
    given_member(app)
    _with_details(app, AMINA, phone="+447700900982")
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page = coordinator.get(CALL_OUTS)
    ids = re.findall(r'name="members" type="checkbox" value="(\d+)"', page.get_data(as_text=True))
    act(
        coordinator,
        CALL_OUTS,
        data={"asked": "Any thoughts?", "urgency": "today", "members": ids, **_answer_by(8)},
    )
    notify.fail_next = 1
    outgoing.send_due(app)
    assert notify.sent == []
    with session_scope(app) as session:
        text = session.scalar(select(SmsMessage))
        assert text.status == "pending" and text.attempts == 1 and "500" in text.last_error
        text.next_attempt_at = clock.now()  # its back-off has passed
    outgoing.send_due(app)
    assert len(notify.sent) == 1
    with session_scope(app) as session:
        assert session.scalar(select(SmsMessage.status)) == "sent"
