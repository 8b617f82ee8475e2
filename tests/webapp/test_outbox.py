"""Outgoing mail goes through the outbox: written with the change, delivered to a real SMTP server,
retried when the server is down, never lost."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests import harness
from tests.helpers import queue_email
from webapp import clock, outgoing
from webapp.db import session_scope
from webapp.files import file_store
from webapp.models import OutboxMessage, OutboxStatus
from webapp.services import outbox


def test_a_queued_email_arrives_at_the_smtp_server(app, smtp_sink):
    message_id = queue_email(app, headers={"Auto-Submitted": "auto-generated"})
    assert outgoing.send_due(app) == (1, 0)
    received = smtp_sink.wait_for(lambda m: m["Message-ID"] == message_id)
    assert received["Subject"] == "Your application IAG-ABCD-2346"
    assert received["To"] == "amina@example.org"
    assert received["Auto-Submitted"] == "auto-generated"
    assert "Avon and Somerset Police" in received["From"]
    assert "We will be in touch." in received.get_content()
    with session_scope(app) as session:
        row = session.scalar(select(OutboxMessage))
        assert row.status == OutboxStatus.SENT and row.attempts == 1


def test_an_email_queued_in_a_transaction_that_fails_is_never_sent(app, smtp_sink):
    try:
        with session_scope(app) as session:
            outbox.queue(
                session, to="a@example.org", subject="never", body="x", sender_domain="force.example"
            )
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert outgoing.send_due(app) == (0, 0)


def test_delivery_is_retried_with_back_off_until_the_server_answers(app, smtp_sink):
    message_id = queue_email(app)
    app.config["SMTP_PORT"] = harness.free_port()  # nothing listens here
    assert outgoing.send_due(app) == (0, 1)
    with session_scope(app) as session:
        row = session.scalar(select(OutboxMessage))
        assert row.status == OutboxStatus.PENDING and row.attempts == 1 and "Error" in row.last_error
    assert outgoing.send_due(app) == (0, 0)  # not due again yet
    with clock.travel(timedelta(minutes=1, seconds=1)):
        assert outgoing.send_due(app) == (0, 1)  # second attempt; the next waits 2 minutes
    app.config["SMTP_PORT"] = smtp_sink.port
    with clock.travel(timedelta(minutes=4)):
        assert outgoing.send_due(app) == (1, 0)
    smtp_sink.wait_for(lambda m: m["Message-ID"] == message_id)


def test_an_email_that_never_goes_is_marked_failed_not_dropped(app):
    queue_email(app)
    app.config["SMTP_PORT"] = harness.free_port()
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    for minutes in (0, 2, 5):
        with clock.travel(timedelta(minutes=minutes)):
            outgoing.send_due(app)
    with session_scope(app) as session:
        row = session.scalar(select(OutboxMessage))
        assert row.status == OutboxStatus.FAILED and row.attempts == 3


def test_attachments_are_sent_from_the_file_store(app, smtp_sink):
    digest = file_store(app).put(b"%PDF-1.7 letter")
    message_id = queue_email(
        app,
        attachments=[{"filename": "decision.pdf", "content_type": "application/pdf", "storage_name": digest}],
    )
    outgoing.send_due(app)
    received = smtp_sink.wait_for(lambda m: m["Message-ID"] == message_id)
    [part] = list(received.iter_attachments())
    assert part.get_filename() == "decision.pdf" and part.get_content() == b"%PDF-1.7 letter"


def test_without_an_smtp_server_mail_is_kept_in_a_local_maildir(app, tmp_path):
    import mailbox

    app.config["SMTP_HOST"] = None
    queue_email(app, subject="Kept locally")
    assert outgoing.send_due(app) == (1, 0)
    kept = mailbox.Maildir(tmp_path / "instance" / "sent-mail", create=False)
    assert [m["Subject"] for m in kept] == ["Kept locally"]
