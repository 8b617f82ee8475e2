"""The review's low findings, each as what a user or an attacker sees now."""

from __future__ import annotations

import io

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
