"""Staff sign-in: password and TOTP, lockout, and sessions that end when they should."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.helpers import make_staff, post_form, sign_in, text_of
from webapp import clock
from webapp.db import session_scope
from webapp.models import LoginAttempt, StaffUser
from webapp.services import staff
from webapp.services.actors import SYSTEM
from webapp.workflow import Role


def _inbox(client):
    return client.get("/staff/")


def test_a_coordinator_signs_in_with_password_and_code_and_lands_on_the_inbox(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    response = post_form(client, "/staff/sign-in", {"email": login.email, "password": login.password})
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/sign-in/code")
    assert _inbox(client).status_code == 302  # not signed in until the code is given
    response = post_form(client, "/staff/sign-in/code", {"code": login.code()}, follow_redirects=True)
    page = text_of(response)
    assert "Inbox" in page and "You serve: Bristol IAG." in page


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    wrong = text_of(post_form(client, "/staff/sign-in", {"email": login.email, "password": "nope nope nope"}))
    unknown = text_of(post_form(client, "/staff/sign-in", {"email": "who@x.example", "password": "abc"}))
    assert "Enter a correct email address and password." in wrong
    assert "Enter a correct email address and password." in unknown


def test_empty_fields_get_govuk_error_messages(app, client):
    page = text_of(post_form(client, "/staff/sign-in", {"email": "", "password": ""}))
    assert "There is a problem" in page
    assert "Enter your email address" in page and "Enter your password" in page


def test_a_wrong_code_is_refused(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    post_form(client, "/staff/sign-in", {"email": login.email, "password": login.password})
    wrong = "000000" if login.code() != "000000" else "111111"
    page = text_of(post_form(client, "/staff/sign-in/code", {"code": wrong}))
    assert "The code is not right" in page
    assert _inbox(client).status_code == 302


def test_a_used_code_cannot_be_replayed(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    code = login.code()
    sign_in(client, login)
    other = app.test_client()
    post_form(other, "/staff/sign-in", {"email": login.email, "password": login.password})
    assert "The code is not right" in text_of(post_form(other, "/staff/sign-in/code", {"code": code}))


def test_ten_failures_from_one_place_pause_that_place_for_fifteen_minutes_and_are_logged(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    for _ in range(10):
        page = text_of(
            post_form(client, "/staff/sign-in", {"email": login.email, "password": "wrong password!"})
        )
    assert "paused for 15 minutes" in page
    # The right password does not help from here while paused, and the answer is the same as for a wrong one.
    right = text_of(post_form(client, "/staff/sign-in", {"email": login.email, "password": login.password}))
    assert right == page
    # Elsewhere (another address) the coordinator signs in: a stranger guessing cannot lock them out.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert sign_in(elsewhere, login).status_code == 302
    with session_scope(app) as session:
        attempts = session.scalars(select(LoginAttempt).order_by(LoginAttempt.id)).all()
        failures = [a for a in attempts if not a.succeeded]
        assert len(failures) == 11
        assert all(a.ip_address == "127.0.0.1" and a.at is not None for a in failures)
        assert failures[10].outcome == "paused: too many attempts from this address"
    with clock.travel(timedelta(minutes=16)):
        assert sign_in(client, login).status_code == 302
        assert _inbox(client).status_code == 200


def test_a_stolen_session_cookie_stops_working_after_logout(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    sign_in(client, login)
    stolen = client.get_cookie("iag_session").value
    thief = app.test_client()
    thief.set_cookie("iag_session", stolen)
    assert _inbox(thief).status_code == 200
    inbox_html = _inbox(client).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', inbox_html).group(1)
    assert client.post("/staff/sign-out", data={"csrf_token": token}).status_code == 302
    assert _inbox(client).status_code == 302
    response = _inbox(thief)
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]


def test_sessions_end_after_thirty_idle_minutes(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    sign_in(client, login)
    with clock.travel(timedelta(minutes=29)):
        assert _inbox(client).status_code == 200  # activity resets the idle timer
    with clock.travel(timedelta(minutes=58)):
        assert _inbox(client).status_code == 200
    with clock.travel(timedelta(minutes=89)):
        response = _inbox(client)
        assert response.status_code == 302
        page = text_of(client.get(response.headers["Location"]))
        assert "had not done anything for 30 minutes" in page


def test_sessions_end_twelve_hours_after_sign_in_however_active(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    sign_in(client, login)
    for step in range(1, 36):  # a request every 20 minutes for 11 h 40 min
        with clock.travel(timedelta(minutes=20 * step)):
            assert _inbox(client).status_code == 200, f"signed out early, at step {step}"
    with clock.travel(timedelta(hours=12, minutes=5)):
        assert _inbox(client).status_code == 302


def test_a_role_change_ends_every_session_of_that_user(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    sign_in(client, login)
    with session_scope(app) as session:
        user = session.get(StaffUser, login.id)
        staff.grant_role(session, user, Role.CHAIR, "somerset", actor=SYSTEM)
    assert _inbox(client).status_code == 302


def test_disabling_a_user_ends_their_sessions_and_stops_sign_in(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    sign_in(client, login)
    with session_scope(app) as session:
        staff.disable(session, session.get(StaffUser, login.id), actor=SYSTEM)
    assert _inbox(client).status_code == 302
    page = text_of(post_form(client, "/staff/sign-in", {"email": login.email, "password": login.password}))
    assert "Enter a correct email address and password." in page


def test_sign_in_never_redirects_off_site(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page = client.get("/staff/sign-in?next=//evil.example/")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post(
        "/staff/sign-in?next=//evil.example/",
        data={"email": login.email, "password": login.password, "csrf_token": token},
    )
    response = post_form(client, "/staff/sign-in/code", {"code": login.code()})
    assert response.headers["Location"] == "/staff/"


def test_create_user_prints_a_one_time_enrolment_link_that_sets_up_password_and_code(app, runner, client):
    result = runner.invoke(
        args=["create-user", "jo@force.example", "--role", "admin team", "--group", "bristol"]
    )
    assert result.exit_code == 0, result.output
    link = re.search(r"http://127\.0\.0\.1:5000(/staff/enrol/\S+)", result.output).group(1)
    page = client.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html  # the QR code
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
    import pyotp

    code = pyotp.TOTP(secret).at(clock.now())
    response = post_form(
        client,
        link,
        {"password": "a long enough password", "confirm": "a long enough password", "code": code},
    )
    assert response.status_code == 302
    assert client.get(link).status_code == 404  # used once, then gone
    assert "expired or has already been used" in text_of(client.get(link))


def test_enrolment_refuses_a_short_password_and_keeps_the_link_working(app, runner, client):
    result = runner.invoke(
        args=["create-user", "jo@force.example", "--role", "admin team", "--group", "bristol"]
    )
    link = re.search(r"(/staff/enrol/\S+)", result.output).group(1)
    page = text_of(post_form(client, link, {"password": "short", "confirm": "short", "code": "123456"}))
    assert "at least 12 characters" in page
    assert client.get(link).status_code == 200


def test_an_enrolment_link_expires_after_seven_days(app, runner, client):
    result = runner.invoke(
        args=["create-user", "jo@force.example", "--role", "admin team", "--group", "bristol"]
    )
    link = re.search(r"(/staff/enrol/\S+)", result.output).group(1)
    with clock.travel(timedelta(days=7, minutes=1)):
        assert client.get(link).status_code == 404


def test_create_user_explains_a_missing_group(app, runner):
    result = runner.invoke(args=["create-user", "jo@force.example", "--role", "chair"])
    assert result.exit_code != 0
    assert "held in a group: give --group" in result.output
