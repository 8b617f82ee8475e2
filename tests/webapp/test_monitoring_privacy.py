"""Equal-opportunities answers are optional, kept apart, and never reach a reviewer, an email, a PDF or a
log. The answers are written with unique markers and then looked for everywhere the run produced."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

from sqlalchemy import select

from tests.apply_journey import apply
from tests.helpers import csrf_token, make_staff, sign_in
from webapp import outgoing
from webapp.config import PROJECT_ROOT
from webapp.db import session_scope
from webapp.models import Application, EqualityResponse, OutboxMessage
from webapp.questions import MONITORING_QUESTIONS, PREFER_NOT
from webapp.workflow import Role


def test_every_monitoring_question_offers_prefer_not_to_say():
    assert all(PREFER_NOT in q.choices for q in MONITORING_QUESTIONS)
    assert {q.key for q in MONITORING_QUESTIONS} == {
        "age_band",
        "sex",
        "gender_identity",
        "sexual_orientation",
        "ethnic_group",
        "religion",
        "disability",
    }


def test_monitoring_can_be_skipped_or_answered_in_part(app, client):
    apply(client)
    page = client.get("/apply/equal-opportunities")
    assert "This form is optional" in page.get_data(as_text=True)
    client.post(
        "/apply/equal-opportunities",
        data={
            "religion": PREFER_NOT,
            "age_band": "25 to 34",
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    with session_scope(app) as session:
        response = session.scalar(select(EqualityResponse))
        assert (response.religion, response.age_band, response.sex) == (PREFER_NOT, "25 to 34", None)
        assert response.group_id == session.scalar(select(Application)).group_id
    assert "already sent" in client.get("/apply/equal-opportunities").get_data(as_text=True)


def test_monitoring_answers_appear_in_no_staff_page_email_pdf_or_log(
    app, client, smtp_sink, caplog, tmp_path
):
    caplog.set_level(logging.DEBUG)
    markers = {}
    reference = apply(client)
    page = client.get("/apply/equal-opportunities")
    # The form only takes listed options, so the markers go in directly as well, as a stored row would be.
    client.post(
        "/apply/equal-opportunities",
        data={"religion": "Any other religion", "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    with session_scope(app) as session:
        response = session.scalar(select(EqualityResponse))
        for q in MONITORING_QUESTIONS:
            markers[q.key] = f"MARKER-{q.key.upper()}-7f3a"
            setattr(response, q.key, markers[q.key])
    outgoing.send_due(app)
    staff_pages = []
    for role, group in [
        (Role.CHAIR, "bristol"),
        (Role.POLICE_COORDINATOR, "bristol"),
        (Role.SYSTEM_ADMIN, None),
    ]:
        login = make_staff(app, f"{role.replace(' ', '-')}@force.example", role, group)
        staff = app.test_client()
        sign_in(staff, login)
        with session_scope(app) as session:
            application_id = session.scalar(select(Application.id))
        for url in ["/staff/", f"/staff/?q={reference}", f"/staff/applications/{application_id}"]:
            response = staff.get(url)
            assert response.status_code == 200, url
            staff_pages.append(response.get_data(as_text=True))
    pdfs = [client.get(f"/forms/{kind}-form.pdf").data for kind in ("application", "monitoring")]
    with session_scope(app) as session:
        emails = [f"{m.subject}\n{m.body_text}" for m in session.scalars(select(OutboxMessage))]
    sunk = [m.as_string() for m in smtp_sink.messages]
    logs = caplog.text
    files = [
        p.read_bytes() for p in Path(app.instance_path).rglob("*") if p.is_file() and "sqlite" not in p.name
    ]
    for marker in markers.values():
        assert not any(marker in html for html in staff_pages)
        assert not any(marker in text for text in emails + sunk)
        assert not any(marker.encode() in blob for blob in pdfs + files)
        assert marker not in logs


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_no_reviewer_or_staff_code_imports_the_equality_store():
    forbidden = {
        "webapp.models.equality",
        "webapp.services.equality",
        "webapp.models.EqualityResponse",
    }
    for folder in ("review", "staff"):
        for path in (PROJECT_ROOT / "webapp" / folder).rglob("*.py"):
            assert not _imports(path) & forbidden, f"{path} imports the equality store"
    for path in (PROJECT_ROOT / "mail_ingest").rglob("*.py"):
        assert "webapp.models.EqualityResponse" not in _imports(path)


def test_every_monitoring_answer_fits_its_column():
    """PostgreSQL refuses a value longer than its column (SQLite does not), so check every choice."""
    for question in MONITORING_QUESTIONS:
        column = EqualityResponse.__table__.c[question.key]
        assert max(len(c) for c in question.choices) <= column.type.length, question.key
