"""IMAP over TLS, as every real mailbox is (the setting's default): the certificate is checked, and waiting
for mail works the same through the encrypted connection."""

from __future__ import annotations

import time

import pytest
from imapclient import IMAPClient

from mail_ingest.mailbox import ImapSource, MailboxSettings
from tests import harness
from tests.conftest import IMAP_PASSWORD, IMAP_USER, imap_config
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_mailbox import told_at_once_of_mail_arriving_as_idle_begins


@pytest.fixture(scope="module")
def tls_dovecot():
    with harness.dovecot_running({IMAP_USER: IMAP_PASSWORD}, tls=True) as server:
        yield server


@pytest.fixture
def trusted(tls_dovecot, monkeypatch):
    """This machine trusts the server's certificate, as it would a real mail server's."""
    tls_dovecot.empty_mailboxes()
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_dovecot.tls[0]))
    return tls_dovecot


def _append(server, subject: str) -> None:
    with IMAPClient(server.host, port=server.plain_port, ssl=False) as client:
        client.login(IMAP_USER, IMAP_PASSWORD)
        client.append("INBOX", mailgen.plain(subject, sender="amina@example.org"))


def _source(server) -> ImapSource:
    return ImapSource(MailboxSettings.from_config(imap_config(server, IMAP_TLS=True)))


def test_the_mailbox_is_read_and_watched_over_tls(trusted):
    _append(trusted, "Before we looked")
    source = _source(trusted)
    try:
        assert source.wait_for_mail(0.2) in (True, False)  # whatever SELECT said
        assert len(source.uids()) == 1
        # Nothing new: the wait runs its course (looking into imaplib's buffer must not block on TLS).
        started = time.monotonic()
        assert source.wait_for_mail(0.5) is False
        assert time.monotonic() - started >= 0.5
        # Mail landing as IDLE begins is told of with the "+ idling", inside the same TLS record.
        assert told_at_once_of_mail_arriving_as_idle_begins(source, lambda: _append(trusted, "Arrived"))
        assert len(source.uids()) == 2
    finally:
        source.close()


@pytest.mark.one_database
def test_check_mail_over_tls_names_a_certificate_it_cannot_trust(app, tls_dovecot, monkeypatch):
    tls_dovecot.empty_mailboxes()
    app.config.update(imap_config(tls_dovecot, IMAP_TLS=True), SMTP_HOST="")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    output = app.test_cli_runner().invoke(args=["check-mail"]).output
    refused = "Mailbox: NOT WORKING. 127.0.0.1's TLS certificate was not accepted (self-signed certificate)"
    assert refused in output
    app.config.update(IMAP_HOST="localhost")  # the certificate names 127.0.0.1, not localhost
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_dovecot.tls[0]))
    output = app.test_cli_runner().invoke(args=["check-mail"]).output
    assert "localhost's TLS certificate was not accepted (Hostname mismatch" in output
    app.config.update(IMAP_HOST="127.0.0.1")
    output = app.test_cli_runner().invoke(args=["check-mail"]).output
    assert f"Mailbox: signed in to 127.0.0.1:{tls_dovecot.port} as {IMAP_USER} (password)." in output
