"""The review's low findings, each as what a user or an attacker sees now."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.helpers import csrf_token, make_staff, sign_in, text_of
from webapp.db import session_scope
from webapp.models import LoginAttempt
from webapp.workflow import Role


def test_a_second_factor_code_in_other_digits_is_a_wrong_code_not_an_error(app, client):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page = client.get("/staff/sign-in")
    client.post(
        "/staff/sign-in",
        data={
            "email": login.email,
            "password": login.password,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    page = client.get("/staff/sign-in/code")
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in login.code())  # the right code, in other digits
    answer = client.post(
        "/staff/sign-in/code",
        data={"code": arabic_indic, "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert answer.status_code in (200, 422) and "The code is not right" in text_of(answer)
    with session_scope(app) as session:
        outcomes = list(session.scalars(select(LoginAttempt.outcome).order_by(LoginAttempt.id)))
    assert outcomes[-1].startswith("wrong code")  # counted towards the lockout


def test_an_id_too_large_for_the_database_is_page_not_found(app, client):
    sign_in(client, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    for url in ("/staff/applications/9223372036854775808", "/staff/attachments/99999999999999999999"):
        response = client.get(url)
        assert response.status_code == 404 and "Page not found" in text_of(response)


def test_hsts_is_sent_on_secure_requests_only(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://iag.force.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_huge_anonymous_form_is_refused_before_it_is_read(app, client):
    page = client.get("/apply/bristol")
    huge = {"csrf_token": csrf_token(page.get_data(as_text=True)), "padding": "x" * (2 * 1024 * 1024)}
    refused = client.post("/apply/bristol", data=huge)
    assert refused.status_code == 413 and "What was sent is too large" in text_of(refused)


def test_the_verify_page_still_takes_a_large_file(app, client):
    page = client.get("/verify")
    big = io.BytesIO(b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024))
    answer = client.post(
        "/verify",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "pdf": (big, "agreement.pdf")},
        content_type="multipart/form-data",
    )
    assert answer.status_code in (200, 422) and "too large" not in text_of(answer)


def test_a_disabled_account_cannot_be_given_work(app):
    from tests.given import given_application
    from tests.review_journey import act, application_id, staff_client
    from webapp.models import StaffUser

    reference = given_application(app)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    gone = make_staff(app, "gone@force.example", Role.CHAIR, "bristol")
    with session_scope(app) as session:
        session.get_one(StaffUser, gone.id).active = False
    answer = act(
        coordinator,
        "/staff/",
        "/staff/bulk-assign",
        {"application_id": application_id(app, reference), "assignee_id": gone.id},
    )
    assert "account is disabled" in text_of(coordinator.get(answer.headers["Location"]))
    with session_scope(app) as session:
        from webapp.models import Application

        assert session.scalar(select(Application.assigned_to_id)) is None


def test_a_group_name_must_be_on_one_line(app):
    from tests.review_journey import act, staff_client

    admin = staff_client(app, "root@force.example", Role.SYSTEM_ADMIN, None)
    data = {
        "name": "Bristol IAG\r\nBcc: x@evil.example",
        "open_to_applicants": "yes",
        "screening_may_apply": "no",
    }
    refused = act(admin, "/staff/admin/groups/bristol", data=data)
    assert refused.status_code == 422 and "must be on one line" in text_of(refused)


def test_asking_for_a_lost_link_again_ends_the_one_sent_before(app, client):
    from tests.given import given_application
    from tests.review_journey import mails_to, status_token

    reference = given_application(app)
    first = status_token(mails_to(app, "amina@example.org")[-1])
    assert client.get(f"/my-application/{first}").status_code == 200
    asker = app.test_client()
    for _ in range(2):
        page = asker.get("/my-application")
        asker.post(
            "/my-application",
            data={"email": "amina@example.org", "csrf_token": csrf_token(page.get_data(as_text=True))},
        )
    tokens = [
        status_token(m)
        for m in mails_to(app, "amina@example.org")
        if m.subject == f"Your application {reference}"
    ]
    assert len(tokens) == 2
    assert client.get(f"/my-application/{first}").status_code == 404
    assert client.get(f"/my-application/{tokens[0]}").status_code == 404
    assert client.get(f"/my-application/{tokens[1]}").status_code == 200  # the newest email's link works


def test_a_subject_access_export_carries_no_live_link(app):
    import json
    import zipfile

    from tests.given import given_application
    from tests.review_journey import act, mails_to, staff_client, status_token

    reference = given_application(app)
    token = status_token(mails_to(app, "amina@example.org")[-1])
    admin = staff_client(app, "root@force.example", Role.SYSTEM_ADMIN, None)
    export = act(
        admin, f"/staff/admin/people?q={reference}", "/staff/admin/people/export", {"q": "amina@example.org"}
    )
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert token.encode() not in everything
    record = json.loads(archive.read("person.json"))
    assert "(link removed from this copy)" in record["emails_sent"][0]["body_text"]


def test_the_appeals_panel_notes_its_appeals_but_does_not_run_the_groups_work(app, client):
    from tests.review_journey import act, appealed, staff_client

    _reference, url, _coordinator, _chair = appealed(app, client)
    panel = staff_client(app, "acc@force.example", Role.ASSISTANT_CHIEF_CONSTABLE, None)
    act(panel, url, f"{url}/notes", {"body": "Panel: we will meet on the 5th."})
    assert "Panel: we will meet on the 5th." in text_of(panel.get(url))  # a note on its own appeal
    assigned = act(panel, url, f"{url}/assign-to-me")
    assert "Only the group's own staff can assign" in text_of(panel.get(assigned.headers["Location"]))
    with session_scope(app) as session:
        from webapp.models import Application

        assert session.scalar(select(Application.assigned_to_id)) is None


def test_opening_the_signing_link_is_not_taken_as_proof_of_the_email_address(app, client):
    from tests.review_journey import sent_for_signature
    from tests.webapp.test_joining import sign
    from webapp.models import SigningRequest

    _reference, _url, _coordinator, _invite, link = sent_for_signature(app, client)
    client.head(link)
    client.get(link)  # as a mail scanner would
    with session_scope(app) as session:
        request = session.scalar(select(SigningRequest))
        assert request.first_opened_at is not None and request.email_verified_at is None
    sign(client, link)
    with session_scope(app) as session:
        request = session.scalar(select(SigningRequest))
        assert request.email_verified_at == request.signed_at


def test_every_failed_sign_in_looks_the_same(app):
    """(Each branch also checks one password hash, so none is quicker: see sign_in.check_password.)"""
    from tests.helpers import post_form
    from webapp.services import staff as accounts

    make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    with session_scope(app) as session:
        accounts.create_user(
            session, "new@force.example", "New Person", Role.CHAIR, "bristol", accounts.Policy.of(app.config)
        )
    answers = {}
    for who, email in (
        ("real", "priya@force.example"),
        ("unknown", "nobody@force.example"),
        ("not set up", "new@force.example"),
    ):
        client = app.test_client()
        answers[who] = text_of(
            post_form(client, "/staff/sign-in", {"email": email, "password": "wrong password!"})
        )
    assert answers["real"] == answers["unknown"] == answers["not set up"]


def test_a_common_password_is_refused_when_setting_up_an_account(app):
    from webapp.services import staff as accounts

    with session_scope(app) as session:
        user, _token = accounts.create_user(
            session, "new@force.example", "Sam Newby", Role.CHAIR, "bristol", accounts.Policy.of(app.config)
        )
        for weak in ("password1234", "qwertyuiop12", "samnewby2026", "new@force.example"):
            with pytest.raises(accounts.StaffError, match=r"too easy to guess|at least 12"):
                accounts.complete_enrolment(session, user, weak, accounts.current_code(user))
        accounts.complete_enrolment(session, user, "gravel orchid lantern", accounts.current_code(user))


def test_a_stolen_session_cookie_cannot_claim_the_victims_address(app):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    victim = app.test_client()
    victim.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    sign_in(victim, login)
    assert victim.get("/staff/").status_code == 200
    thief = app.test_client()
    thief.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    cookie = victim.get_cookie("iag_session")
    thief.set_cookie("iag_session", cookie.value)
    stolen = thief.get("/staff/", headers={"X-Forwarded-For": "192.0.2.10"})  # no proxy is trusted here
    assert stolen.status_code == 302 and "/staff/sign-in" in stolen.headers["Location"]


def test_erasure_granting_system_admin_and_resetting_a_second_factor_ask_for_the_code_again(app):
    from tests.given import given_application
    from tests.review_journey import act, staff_client
    from webapp.models import Applicant, StaffRole, StaffUser

    given_application(app)
    admin = staff_client(app, "root@force.example", Role.SYSTEM_ADMIN, None)
    chair = make_staff(app, "chair@force.example", Role.CHAIR, "bristol")
    page = f"/staff/admin/staff/{chair.id}"
    grant = act(admin, page, f"{page}/roles", {"role": "system admin", "group": "", "code": "000000"})
    reset = act(admin, page, f"{page}/reset", {"code": ""})
    erase = act(
        admin,
        "/staff/admin/people?q=amina@example.org",
        "/staff/admin/people/erase",
        {"q": "amina@example.org", "confirmed": "y", "code": "123456"},
    )
    for refused in (grant, reset, erase):
        assert (
            refused.status_code == 422
            and "enter the 6-digit code shown in your authenticator app" in text_of(refused)
        )
    with session_scope(app) as session:
        assert (
            session.scalar(
                select(StaffRole).where(StaffRole.user_id == chair.id, StaffRole.role == "system admin")
            )
            is None
        )
        assert session.get_one(StaffUser, chair.id).enrolled_at is not None  # not reset
        assert session.scalar(select(Applicant).where(Applicant.email == "amina@example.org")) is not None
    granted = act(
        admin, page, f"{page}/roles", {"role": "system admin", "group": "", "code": admin.login.code(1)}
    )
    assert granted.status_code == 302
