"""The members' own pages, on both databases: signing in with an emailed link (once, for 15 minutes, the
same answer whatever the address), the session's limits, a member's page and details, leaving, and what
a former member or a member of another group gets (nothing)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.given import given_member
from tests.helpers import csrf_token, make_staff, text_of
from tests.review_journey import mails_to
from webapp import clock
from webapp.db import session_scope
from webapp.models import Application, Event, Member, Membership, MemberSignIn, Notification
from webapp.services import links
from webapp.workflow import Role

AMINA = "amina@example.org"


def ask_for_link(client, email: str):
    page = client.get("/members/sign-in")
    return client.post(
        "/members/sign-in", data={"email": email, "csrf_token": csrf_token(page.get_data(as_text=True))}
    )


def sign_in_link(app, email: str = AMINA) -> str:
    message = mails_to(app, email)[-1]
    return re.search(r"https?://[^/\s]+(/members/sign-in/[A-Za-z0-9_-]+)", message.body_text).group(1)


def signed_in_member(app, email: str = AMINA):
    """A client signed in as the member with `email`, through the emailed link."""
    client = app.test_client()
    ask_for_link(client, email)
    link = sign_in_link(app, email)
    page = client.get(link)
    assert client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))}).status_code == 302
    return client


def test_a_member_signs_in_with_a_link_that_works_once_and_the_page_says_the_same_to_anyone(app):
    given_member(app)
    client = app.test_client()
    asked = client.get("/members/")
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/members/sign-in")
    missing = client.post(
        "/members/sign-in",
        data={"email": "", "csrf_token": csrf_token(client.get("/members/sign-in").get_data(as_text=True))},
    )
    assert missing.status_code == 422 and "Enter your email address" in text_of(missing)
    known, unknown = ask_for_link(client, "Amina@Example.org "), ask_for_link(client, "nobody@example.org")
    said = [re.sub(r"\S+@example\.org", "X", text_of(r)) for r in (known, unknown)]
    assert said[0] == said[1]  # nothing tells who is a member
    assert "we have sent a sign-in link" in said[0]
    assert mails_to(app, "nobody@example.org") == []
    message = mails_to(app, AMINA)[-1]
    assert message.subject == "Your sign-in link for the IAG members' pages"
    assert "It works once, for 15 minutes." in message.body_text
    link = sign_in_link(app)
    opened = client.get(link)  # opening the link (as a mail scanner would) does not use it up
    assert opened.status_code == 200 and client.get(link).status_code == 200
    used = client.post(link, data={"csrf_token": csrf_token(opened.get_data(as_text=True))})
    assert used.status_code == 302 and used.headers["Location"].endswith("/members/")
    page = text_of(client.get("/members/"))
    assert "Your page" in page and "Bristol IAG" in page and "Amina Yusuf" in page
    again = app.test_client()
    refused = again.post(
        link, data={"csrf_token": csrf_token(again.get("/members/sign-in").get_data(as_text=True))}
    )
    assert refused.status_code == 410 and "This link does not work" in text_of(refused)
    with session_scope(app) as session:
        assert session.scalar(select(Event.id).where(Event.action == "member signed in")) is not None


def test_a_link_runs_out_after_15_minutes_and_a_session_after_the_idle_limit(app):
    given_member(app)
    client = app.test_client()
    ask_for_link(client, AMINA)
    link = sign_in_link(app)
    with session_scope(app) as session:
        for sign_in in session.scalars(select(MemberSignIn)):
            assert sign_in.expires_at - sign_in.created_at == timedelta(minutes=15)
            sign_in.expires_at = clock.now() - timedelta(seconds=1)  # its 15 minutes are up
    assert client.get(link).status_code == 410
    member = signed_in_member(app)
    with member.session_transaction() as held:
        held["member_last_seen"] = (clock.now() - timedelta(minutes=31)).isoformat()
    expired = member.get("/members/")
    assert expired.status_code == 302 and expired.headers["Location"].endswith("/members/sign-in")
    assert "had not done anything for 30 minutes" in text_of(member.get("/members/sign-in"))


def test_a_member_keeps_their_details_up_to_date(app):
    given_member(app)
    client = signed_in_member(app)
    form = client.get("/members/details")
    assert "Amina Yusuf" in text_of(form)
    token = csrf_token(form.get_data(as_text=True))
    bad = client.post(
        "/members/details", data={"csrf_token": token, "phone": "call me", "contact_preference": "Email"}
    )
    assert bad.status_code == 422 and "Enter a phone number" in text_of(bad)
    assert "Select when you can answer an urgent call-out" in text_of(bad)
    saved = client.post(
        "/members/details",
        data={
            "csrf_token": token,
            "phone": "07700 900982",
            "contact_preference": "Phone",
            "availability": "evenings and weekends",
            "skills": "Youth work; mediation",
            "specialisms": "Stop and search",
            "languages_spoken": "English, Somali",
            "accessibility_needs": "Step-free access",
            "communities": "Somali community in Easton",
        },
    )
    assert saved.status_code == 302
    page = text_of(client.get("/members/"))
    assert (
        "Your details have been saved." in page
        and "+44 7700 900982" in page
        and "Evenings and weekends" in page
    )
    with session_scope(app) as session:
        member = session.scalar(select(Member))
        assert (member.skills, member.availability) == ("Youth work; mediation", "evenings and weekends")
        event = session.scalar(select(Event).where(Event.action == "member details changed"))
        assert "Youth work" not in str(event.detail) and "skills" in event.detail["fields"]


def test_a_member_leaves_a_group_and_then_sees_nothing_of_it(app):
    make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    given_member(app)
    client = signed_in_member(app)
    confirm = client.get("/members/groups/bristol/leave")
    assert "Are you sure you want to leave the Bristol IAG?" in text_of(confirm)
    assert client.get("/members/groups/somerset/leave").status_code == 404
    left = client.post(
        "/members/groups/bristol/leave", data={"csrf_token": csrf_token(confirm.get_data(as_text=True))}
    )
    assert "You have left the Bristol IAG" in text_of(left) and "you have been signed out" in text_of(left)
    assert client.get("/members/").status_code == 302  # signed out: their session named a member no more
    ask_for_link(client, AMINA)
    assert [m.subject for m in mails_to(app, AMINA)].count(
        "Your sign-in link for the IAG members' pages"
    ) == 1
    with session_scope(app) as session:
        assert session.scalar(select(Membership.left_at)) is not None
        told = session.scalar(select(Notification).where(Notification.kind == "member left"))
        assert told.summary == "Amina Yusuf left the Bristol IAG"
        application = session.get(Application, session.scalar(select(Membership.application_id)))
        token = links.issue_status_link(session, application)
    status = text_of(app.test_client().get(f"/my-application/{token}"))  # their page from an old email
    assert "Coming meetings" not in status and "Sign in to the members' pages" not in status
    assert app.test_client().get(f"/my-application/{token}/meetings.ics").status_code == 404
