"""Outgoing mail through Microsoft Graph `sendMail`, behind the same outbox as SMTP. Graph is outside this
machine, so only its HTTP endpoint is faked here (over TLS on loopback); the token is a real one from the
local stand-in for Microsoft's sign-in service, and the fake asks that provider whom it belongs to, as
Graph asks Entra ID."""

from __future__ import annotations

import base64
import email
import tempfile
import threading
from datetime import timedelta
from email import policy
from pathlib import Path

import flask
import pytest
import requests
import werkzeug.serving
from sqlalchemy import select

from tests import harness
from tests.helpers import queue_email
from tests.identity import MicrosoftAuthority
from webapp import clock
from webapp.db import session_scope
from webapp.files import file_store
from webapp.models import OutboxMessage, OutboxStatus
from webapp.outgoing import send_due
from webapp.services.mail_tokens import TokenSource

MAILBOX = "iag@force.example"


class FakeGraph:
    """Graph's `POST /v1.0/users/{mailbox}/sendMail` with a MIME body, and the answers it gives."""

    def __init__(self, authority: MicrosoftAuthority, folder: Path) -> None:
        self.authority, self.received = authority, []
        self.permitted = {MAILBOX}  # the mailboxes the application access policy lets the app send as
        self.busy = False
        cert, key = harness.self_signed(folder, "localhost", stem="graph-")
        self.cert = cert
        app = flask.Flask("graph")

        @app.post("/v1.0/users/<mailbox>/sendMail")
        def send_mail(mailbox: str):
            token = flask.request.headers.get("Authorization", "").removeprefix("Bearer ")
            who = requests.get(
                f"{authority.url}/userinfo",
                headers={"Authorization": f"Bearer {token}"},
                verify=str(authority.cert),
                timeout=10,
            )
            if who.status_code != 200:
                return _error("InvalidAuthenticationToken", "Access token validation failure."), 401
            if self.busy:
                return _error("ApplicationThrottled", "Too many requests."), 429, {"Retry-After": "30"}
            if mailbox not in self.permitted:
                return _error("ErrorAccessDenied", "Access is denied. Check credentials and try again."), 403
            if flask.request.content_type != "text/plain":
                return _error("ErrorMimeContentInvalid", "Invalid MIME content."), 400
            raw = base64.b64decode(flask.request.get_data())
            self.received.append((mailbox, email.message_from_bytes(raw, policy=policy.default)))
            return "", 202

        self.server = werkzeug.serving.make_server(
            "localhost", 0, app, threaded=True, ssl_context=(str(cert), str(key))
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"https://localhost:{self.server.server_port}"


def _error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


@pytest.fixture(scope="module")
def microsoft():
    folder = Path(tempfile.mkdtemp(prefix="iag-graph-"))
    with MicrosoftAuthority(folder, MAILBOX) as authority:
        fake = FakeGraph(authority, folder)
        bundle = folder / "trusted.pem"  # this machine trusts both, as it does Microsoft's real ones
        bundle.write_text(authority.cert.read_text() + fake.cert.read_text())
        try:
            yield authority, fake, bundle
        finally:
            fake.server.shutdown()


@pytest.fixture
def graph(app, microsoft, monkeypatch):
    authority, fake, bundle = microsoft
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.setattr(TokenSource, "_shared", {})
    monkeypatch.setattr(authority, "issued", [])
    monkeypatch.setattr(fake, "received", [])
    monkeypatch.setattr(fake, "permitted", {MAILBOX})
    monkeypatch.setattr(fake, "busy", False)
    app.config.update(
        SEND_MAIL_WITH="graph",
        GRAPH_MAILBOX=MAILBOX,
        GRAPH_URL=fake.url,
        SMTP_HOST=None,
        **authority.settings(),
    )
    return authority, fake


def _queue(app, subject: str, attachment: bytes | None = None) -> str:
    if attachment is None:
        return queue_email(app, subject)
    stored = file_store(app).put(attachment)
    spec = {"filename": "invitation.ics", "content_type": "text/calendar", "storage_name": stored}
    return queue_email(app, subject, attachments=[spec])


def _row(app, message_id: str) -> OutboxMessage:
    with session_scope(app) as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.message_id == message_id)).one()
        session.expunge(row)
        return row


def test_the_outbox_sends_through_graph_as_the_same_mime_message(app, graph):
    authority, fake = graph
    invitation = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    first = _queue(app, "Your informal discussion", invitation)
    _queue(app, "Your application")
    assert send_due(app) == (2, 0)
    assert [mailbox for mailbox, _ in fake.received] == [MAILBOX, MAILBOX]
    sent = fake.received[0][1]
    assert sent["Subject"] == "Your informal discussion" and sent["To"] == "amina@example.org"
    assert sent["Message-ID"] == first
    parts = {part.get_filename(): part.get_content() for part in sent.iter_attachments()}
    assert parts == {"invitation.ics": invitation.decode()}
    assert _row(app, first).status == OutboxStatus.SENT
    assert len(authority.issued) == 1  # one token for both


def test_what_graph_refuses_stays_in_the_outbox_with_plain_words_and_goes_later(app, graph):
    authority, fake = graph
    fake.permitted = set()
    row = _queue(app, "Your application")
    assert send_due(app) == (0, 1)
    waiting = _row(app, row)
    assert waiting.status == OutboxStatus.PENDING
    assert f"Microsoft Graph would not send as {MAILBOX} (403 ErrorAccessDenied" in waiting.last_error
    assert "Mail.Send application permission" in waiting.last_error
    checked = app.test_cli_runner().invoke(args=["check-mail", "--send-to", "it@force.example"]).output
    assert "Sending: NOT WORKING. Microsoft Graph would not send as" in checked
    fake.permitted = {MAILBOX}

    # A revoked token is dropped and the next attempt gets a new one; a busy Graph is tried again later.
    authority.revoke()
    with clock.travel(timedelta(minutes=2)):
        assert send_due(app) == (0, 1)
    assert "Microsoft Graph refused the token (401 InvalidAuthenticationToken" in _row(app, row).last_error
    fake.busy = True
    with clock.travel(timedelta(minutes=5)):
        assert send_due(app) == (0, 1)
    assert "Microsoft Graph is busy (429 ApplicationThrottled" in _row(app, row).last_error
    assert "it asked for 30 s" in _row(app, row).last_error
    fake.busy = False
    with clock.travel(timedelta(minutes=12)):
        assert send_due(app) == (1, 0)
    assert _row(app, row).status == OutboxStatus.SENT
    assert [m["Subject"] for _, m in fake.received] == ["Your application"]
    assert len(authority.issued) == 2


def test_an_email_too_big_for_graph_fails_at_once_and_is_kept(app, graph):
    row = _queue(app, "Papers for the meeting", b"%PDF-" + bytes(3 * 1024 * 1024))
    assert send_due(app) == (0, 1)
    kept = _row(app, row)  # kept, failed at once (it would never go), with the reason
    assert kept.status == OutboxStatus.FAILED and kept.attempts == 1
    assert "Microsoft Graph takes at most 4096 KB. Send it through SMTP" in kept.last_error


def test_check_mail_says_how_graph_is_set_up(app, graph):
    _authority, fake = graph
    checked = app.test_cli_runner().invoke(args=["check-mail"]).output
    assert f"Sending: a token for Microsoft Graph ({fake.url}) as {MAILBOX} was issued" in checked
    assert "add --send-to" in checked
    sent = app.test_cli_runner().invoke(args=["check-mail", "--send-to", "it@force.example"]).output
    assert f"Sending: a test message went to it@force.example through Microsoft Graph ({fake.url})" in sent
    assert fake.received[-1][1]["Subject"] == "IAG Membership: test message"
    app.config.update(GRAPH_MAILBOX=None)
    assert "Sending: NOT WORKING. IAG_SEND_MAIL_WITH=graph needs IAG_GRAPH_MAILBOX" in (
        app.test_cli_runner().invoke(args=["check-mail"]).output
    )
    app.config.update(SEND_MAIL_WITH="pigeon")
    assert "IAG_SEND_MAIL_WITH must be smtp or graph, not 'pigeon'" in (
        app.test_cli_runner().invoke(args=["check-mail"]).output
    )
