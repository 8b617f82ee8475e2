"""Equality data never reaches reviewers: an equal opportunities form that a machine cannot read is kept
apart, whatever shape it comes in, and a Chair or Coordinator can never download it."""

from __future__ import annotations

from sqlalchemy import select

from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import blank_form, poll
from tests.review_journey import staff_client
from webapp.db import session_scope
from webapp.models import Application, Attachment, EqualityFile
from webapp.workflow import Role

SCAN = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 4


def test_unreadable_equality_forms_in_every_shape_are_kept_from_chairs_and_coordinators(
    mail_app, client, imap
):
    monitoring = mailgen.filled_form(blank_form(client, "monitoring"), {"age_band": "25 to 34"})
    form = mailgen.filled_form(blank_form(client), {"group": "Bristol IAG", "full_name": "Ray Shapes"})
    scanned = mailgen.with_attachment("My application", "application.pdf", form, sender="ray@example.org")
    scanned = mailgen.add_attachments(
        scanned,
        {
            "equal opportunities scan.jpg": (SCAN, "image/jpeg"),
            "monitoring.pdf": (
                b"X-GATEWAY-STAMP 2026\r\n" + monitoring,
                "application/pdf",
            ),  # bytes before %PDF-
        },
    )
    inner = mailgen.with_attachment("EO form", "EO form.jpg", SCAN, "image/jpeg", sender="ray@example.org")
    forwarded = mailgen.forwarded(inner, by="Pat Officer <pat.officer@avonandsomerset.police.uk>")
    mailgen.append(imap, [scanned, forwarded])
    poll(mail_app)
    with session_scope(mail_app) as session:
        application_id = session.scalar(select(Application.id))
        stored = {a.filename: a.id for a in session.scalars(select(Attachment))}
        apart = {f.filename for f in session.scalars(select(EqualityFile))}
    assert {"equal opportunities scan.jpg", "EO form.jpg"} <= apart
    assert not apart & set(stored)  # none of them is an attachment anyone could download
    assert "application.pdf" in stored and "monitoring.pdf" not in stored
    for role, email in ((Role.CHAIR, "chair@force.example"), (Role.POLICE_COORDINATOR, "pc@force.example")):
        reviewer = staff_client(mail_app, email, role, "bristol")
        case = reviewer.get(f"/staff/applications/{application_id}").get_data(as_text=True)
        for name in apart:
            assert name not in case
        for kept in session_files(mail_app):
            assert reviewer.get(f"/staff/equality/forms/{kept}").status_code == 404


def session_files(app) -> list[int]:
    with session_scope(app) as session:
        return list(session.scalars(select(EqualityFile.id)))


def test_an_equality_form_in_a_reply_from_another_address_is_not_filed_as_the_applicants(
    mail_app, client, imap
):
    from tests.given import given_application
    from webapp.models import EqualityResponse

    reference = given_application(mail_app)
    monitoring = mailgen.filled_form(blank_form(client, "monitoring"), {"age_band": "65 or over"})
    mailgen.append(
        imap,
        [
            mailgen.with_attachment(
                f"Re: {reference}", "form.pdf", monitoring, sender="someone.else@example.net"
            )
        ],
    )
    poll(mail_app)
    with session_scope(mail_app) as session:
        assert session.scalar(select(EqualityResponse)) is None  # not applied to the application
        [kept] = session.scalars(select(EqualityFile)).all()  # kept apart, for the equality reporter
        assert kept.application_id is None and kept.filename == "form.pdf"
        assert session.scalar(select(Attachment).where(Attachment.filename == "form.pdf")) is None
