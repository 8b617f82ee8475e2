"""What the outside security review found, as behaviours a user (or an attacker) would see. Each failed
before its fix."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from tests.given import given_application
from tests.helpers import csrf_token, make_staff
from tests.review_journey import mails_to, status_token
from webapp.config import load_settings
from webapp.db import session_scope
from webapp.models import StaffUser
from webapp.observability import JsonFormatter, logged_path
from webapp.services import wording
from webapp.workflow import Role


def sign_in_with_next(app, client, next_value: str):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page = client.get("/staff/sign-in", query_string={"next": next_value})
    client.post(
        "/staff/sign-in",
        query_string={"next": next_value},
        data={
            "email": login.email,
            "password": login.password,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    page = client.get("/staff/sign-in/code")
    return client.post(
        "/staff/sign-in/code",
        data={"code": login.code(), "csrf_token": csrf_token(page.get_data(as_text=True))},
    )


@pytest.mark.parametrize(
    "next_value",
    [
        "/%09/evil.example",
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/staff/\r\nSet-Cookie: x=1",
        "/%0d%0aLocation:%20https://evil.example",
        " /staff/",
    ],
)
def test_a_sign_in_link_to_elsewhere_lands_on_the_inbox(app, client, next_value):
    response = sign_in_with_next(app, client, next_value)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


def test_a_sign_in_link_to_a_page_of_the_site_still_leads_there(app, client):
    assert sign_in_with_next(app, client, "/staff/waiting").headers["Location"] == "/staff/waiting"


def test_link_tokens_never_reach_the_log_in_text_or_json(app, client, caplog):
    given_application(app)
    token = status_token(mails_to(app, "amina@example.org")[-1])
    caplog.set_level(logging.INFO, logger="iag.request")
    assert client.get(f"/my-application/{token}").status_code == 200
    client.get(f"/sign/{token}x")  # a signing link (not a real one)
    client.get(f"/apply/resume/{token}")
    client.get(f"/staff/enrol/{token}")
    client.get(f"/no-such-page/{token}")
    lines = [record.getMessage() for record in caplog.records] + [
        JsonFormatter().format(record) for record in caplog.records
    ]
    assert lines and not [line for line in lines if token in line]
    assert any("/my-application/<token>" in line for line in lines)


def test_a_newline_in_a_path_cannot_forge_a_log_line():
    assert (
        logged_path("/x\r\n2026-12-01 INFO iag.request forged")
        == "/x\\x0d\\x0a2026-12-01 INFO iag.request forged"
    )


def test_a_wording_cannot_read_a_staff_members_secrets(app):
    make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    with app.app_context(), session_scope(app) as session:
        admin = session.scalar(select(StaffUser))
        for probe in (
            "{{ application.assigned_to.totp_secret }}",
            "{{ user.password_hash }}",
            "{{ user.totp_secret }}",
            "{{ application.applicant.applications }}",
        ):
            with pytest.raises(wording.WordingError):
                wording.save(session, "staff_invite" if "user" in probe else "decision_offer", probe, admin)
        sample = wording.check(session, "decision_offer", "{{ application.reference }} {{ group.name }}")
        assert "IAG-ABCD-EFGH" in sample


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{{ j|string }}{% endfor %}{% endfor %}",
            "only go over the email's own details",
        ),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "only go over the email's own details",
        ),
        ("{{ 'x' * 99999 }}{{ 'x' * 50 }}", "characters"),
        # The second review: a loop with no calls, and sizes made without one.
        ("{% for c in 'x' * 20000 %}{% for d in 'y' * 20000 %}{% endfor %}{% endfor %}", "own details"),
        ("{{ 'a' * 300000000 }}", "more than 100,000 characters"),
        ("{{ 10 ** 10000000 }}", "a power over 100"),
        (
            "{% for a in meetings %}{% for b in meetings %}{% for c in meetings %}{% endfor %}{% endfor %}"
            "{% endfor %}",
            "at most 2 deep",
        ),
    ],
    ids=[
        "a loop of 10^10",
        "a silent loop of 10^10",
        "a megabyte and more",
        "a silent loop over made strings",
        "300 MB at once",
        "a huge power",
        "three deep",
    ],
)
def test_a_wording_that_would_never_finish_is_refused_with_a_clear_message(app, body, why):
    with app.app_context(), session_scope(app) as session, pytest.raises(wording.WordingError, match=why):
        wording.check(session, "decision_offer", body)


@pytest.mark.parametrize(
    "key",
    ["short-key", "change-me-to-64-random-characters-the-same-on-every-instance", "x" * 31],
)
def test_a_placeholder_or_short_secret_key_stops_the_app_starting(tmp_path, key):
    with pytest.raises(ValueError, match="IAG_SECRET_KEY"):
        load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={"IAG_SECRET_KEY": key})


def test_make_secret_key_prints_a_good_one(runner, tmp_path):
    printed = runner.invoke(args=["make-secret-key"]).output.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", printed)
    assert (
        load_settings({"INSTANCE_PATH": str(tmp_path)}, environ={"IAG_SECRET_KEY": printed})["SECRET_KEY"]
        == printed
    )
