"""Outgoing mail through Microsoft 365 with OAuth2 (SMTP XOAUTH2), on this machine: an aiosmtpd server on
loopback takes mail only from a client whose bearer token the local stand-in for Microsoft's sign-in
service says belongs to the mailbox."""

from __future__ import annotations

import base64
import tempfile
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests import harness
from tests.identity import MicrosoftAuthority
from webapp.services import outbox
from webapp.services.mail_tokens import TokenSource

MAILBOX = "iag@force.example"


class Microsoft365Smtp:
    """SMTP AUTH as Exchange Online does it: XOAUTH2 only, the token checked with the identity provider."""

    def __init__(self, authority: MicrosoftAuthority) -> None:
        self.authority, self.received, self.signed_in = authority, [], []

    async def auth_XOAUTH2(self, server, args):  # aiosmtpd's hook for the XOAUTH2 mechanism
        fields = dict(
            part.split("=", 1) for part in base64.b64decode(args[-1]).decode().split("\x01") if "=" in part
        )
        token = fields.get("auth", "").removeprefix("Bearer ")
        answer = requests.get(
            f"{self.authority.url}/userinfo",
            headers={"Authorization": f"Bearer {token}"},
            verify=str(self.authority.cert),
            timeout=10,
        )
        if answer.status_code == 200 and answer.json()["sub"] == fields.get("user") == MAILBOX:
            self.signed_in.append(fields["user"])
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful")

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.content)
        return "250 OK"


@pytest.fixture
def office365(monkeypatch):
    with MicrosoftAuthority(Path(tempfile.mkdtemp(prefix="iag-smtp-oauth-")), MAILBOX) as authority:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(authority.cert))
        monkeypatch.setattr(TokenSource, "_shared", {})
        handler = Microsoft365Smtp(authority)
        server = Controller(
            handler,
            hostname="127.0.0.1",
            port=harness.free_port(),
            auth_require_tls=False,
            auth_required=True,
        )
        server.start()
        try:
            yield authority, handler, server
        finally:
            server.stop()


def _message(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = MAILBOX, "ama@example.org", subject
    message.set_content("Thank you for your application.")
    return message


def test_the_outbox_sends_through_smtp_with_an_oauth2_token_and_asks_again_when_it_is_refused(office365):
    authority, handler, server = office365
    transport = outbox.transport_from_config(
        {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": server.port,
            "SMTP_TLS": "none",
            "SMTP_USERNAME": MAILBOX,
            "SMTP_AUTH": "xoauth2",
            **authority.settings(),
        }
    )
    transport.send(_message("Your application"))
    transport.send(_message("Your informal discussion"))
    assert handler.signed_in == [MAILBOX, MAILBOX] and len(authority.issued) == 1  # one token, reused
    assert b"Subject: Your informal discussion" in handler.received[1]

    authority.revoke()
    with pytest.raises(ConnectionError, match=rf"SMTP server refused the OAuth2 token for {MAILBOX} \(535\)"):
        transport.send(_message("Lost"))
    transport.send(_message("Sent after all"))  # the refused token was dropped: a new one works
    assert len(authority.issued) == 2 and b"Subject: Sent after all" in handler.received[-1]
    assert len(handler.received) == 3
