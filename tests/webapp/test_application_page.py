"""The staff page for one application: answers, emails, attachments, notes, timeline, duplicates, and
nothing at all for staff of another group."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from tests.given import given_application
from tests.helpers import csrf_token, text_of
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import poll
from tests.review_journey import application_id, staff_client
from webapp.db import session_scope
from webapp.models import Application, Attachment
from webapp.workflow import Role


def test_a_coordinator_reads_the_answers_adds_a_note_and_starts_the_review(app, client):
    reference = given_application(app)
    url = f"/staff/applications/{application_id(app, reference)}"
    staff = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    assert reference in text_of(staff.get("/staff/"))
    page = staff.get(url)
    assert page.status_code == 200
    text = text_of(page)
    assert "Amina Yusuf" in text and "I run a youth football club" in text and "+44 7700 900982" in text
    token = csrf_token(page.get_data(as_text=True))
    staff.post(f"{url}/notes", data={"body": "Strong links with young people.", "csrf_token": token})
    staff.post(f"{url}/start-review", data={"csrf_token": token})
    text = text_of(staff.get(url))
    assert "Strong links with young people." in text and "In review" in text
    timeline = re.search(r'id="timeline">(.*?)</ol>', staff.get(url).get_data(as_text=True), re.S).group(1)
    assert "Submit (draft → submitted)" in timeline
    assert "Note added" in timeline and "Start review (submitted → in review)" in timeline


def test_an_empty_note_is_refused_with_a_message(app, client):
    reference = given_application(app)
    url = f"/staff/applications/{application_id(app, reference)}"
    staff = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    token = csrf_token(staff.get(url).get_data(as_text=True))
    response = staff.post(f"{url}/notes", data={"body": "   ", "csrf_token": token})
    assert "Enter a note" in text_of(response)


def test_a_chair_of_another_group_gets_not_found_everywhere_and_the_denial_is_logged(app, client, caplog):
    reference = given_application(app)
    app_id = application_id(app, reference)
    url = f"/staff/applications/{app_id}"
    outsider = staff_client(app, "sam@force.example", Role.CHAIR, "somerset")
    token = csrf_token(outsider.get("/staff/").get_data(as_text=True))
    caplog.set_level(logging.WARNING, logger="iag.access")
    assert reference not in text_of(outsider.get("/staff/"))
    assert outsider.get(url).status_code == 404
    assert outsider.post(f"{url}/notes", data={"body": "x", "csrf_token": token}).status_code == 404
    assert outsider.post(f"{url}/start-review", data={"csrf_token": token}).status_code == 404
    assert outsider.get("/staff/applications/999999").status_code == 404  # same answer as a missing one
    assert f"asked for application {app_id}" in caplog.text
    with session_scope(app) as session:
        assert session.get(Application, app_id).state == "submitted"


def test_email_attachments_download_as_files_and_only_for_the_group(mail_app, client, imap):
    html = b"<html><script>alert(document.cookie)</script></html>"
    mailgen.append(
        imap,
        [
            mailgen.with_attachment(
                "Application to join the Bristol IAG",
                "cv.html",
                html,
                "text/html",
                sender="Dev <dev@example.org>",
            )
        ],
    )
    poll(mail_app)
    with session_scope(mail_app) as session:
        attachment_id = session.scalar(select(Attachment.id))
        app_id = session.scalar(select(Application.id))
    staff = staff_client(mail_app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page = text_of(staff.get(f"/staff/applications/{app_id}"))
    assert "cv.html" in page and "Application to join the Bristol IAG" in page
    download = staff.get(f"/staff/attachments/{attachment_id}")
    assert download.status_code == 200 and download.data == html
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/octet-stream"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    outsider = staff_client(mail_app, "sam@force.example", Role.CHAIR, "somerset")
    assert outsider.get(f"/staff/attachments/{attachment_id}").status_code == 404


def test_applications_from_the_same_person_are_flagged_as_possible_duplicates(app, client):
    first = given_application(app)
    second = given_application(app)  # the same answers, so the same email and phone
    staff = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    text = text_of(staff.get(f"/staff/applications/{application_id(app, second)}"))
    assert "Possible duplicate" in text and first in text


def test_a_get_never_changes_state(app, client):
    reference = given_application(app)
    staff = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    assert staff.get(f"/staff/applications/{application_id(app, reference)}/start-review").status_code == 405
    with session_scope(app) as session:
        assert session.scalar(select(Application.state)) == "submitted"
