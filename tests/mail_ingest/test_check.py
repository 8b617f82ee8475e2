"""`check-mail` / `iag-mail check`: sign in to both servers, list the folders, send a test message, and say
in plain words what is wrong."""

from __future__ import annotations

import pytest

from tests import harness
from tests.conftest import imap_config

pytestmark = pytest.mark.imap


def test_check_mail_signs_in_lists_the_folders_and_sends_a_test_message(app, imap, smtp_sink):
    app.config.update(imap_config(imap))
    result = app.test_cli_runner().invoke(args=["check-mail", "--send-to", "it@force.example"])
    assert result.exit_code == 0, result.output
    assert f"Mailbox: signed in to {imap.host}:{imap.port} as strategiciag (password)." in result.output
    assert "folder INBOX: there" in result.output and "0 messages waiting in INBOX" in result.output
    assert "Sending: a test message went to it@force.example" in result.output
    harness.wait_until(lambda: len(smtp_sink.messages) == 1, 10, "the test message")
    assert "IAG Membership: test message" in smtp_sink.messages[0]["Subject"]


def test_check_mail_says_what_is_wrong_in_plain_words(app, imap):
    app.config.update(
        imap_config(imap, IMAP_PASSWORD="wrong"),
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=harness.free_port(),  # nothing listens there
    )
    result = app.test_cli_runner().invoke(args=["check-mail"])
    assert result.exit_code == 1
    assert f"Mailbox: NOT WORKING. {imap.host} refused the user name or password" in result.output
    assert "Microsoft 365 no longer takes passwords: use OAuth2" in result.output
    assert "Sending: NOT WORKING. Nothing answered at 127.0.0.1:" in result.output
    app.config.update(IMAP_HOST="no-such-host.invalid")
    assert (
        "There is no server called no-such-host.invalid"
        in app.test_cli_runner().invoke(args=["check-mail"]).output
    )
