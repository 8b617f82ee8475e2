"""The project's own IMAP code against a real Dovecot started by the tests."""

from __future__ import annotations

import time
from email.message import EmailMessage

from imapclient import IMAPClient

from mail_ingest.mailbox import ImapSource, MailboxSettings, connect
from mail_ingest.parse import parse_headers
from tests.conftest import IMAP_PASSWORD, IMAP_USER, imap_config


def _append(server, subject: str, seen: bool = False) -> None:
    message = EmailMessage()
    message["From"] = "Amina Yusuf <amina@example.org>"
    message["To"] = "StrategicIAG@avonandsomerset.police.uk"
    message["Subject"] = subject
    message.set_content("Please find my application attached.")
    with IMAPClient(server.host, port=server.port, ssl=False) as client:
        client.login(IMAP_USER, IMAP_PASSWORD)
        client.append("INBOX", message.as_bytes(), flags=[b"\\Seen"] if seen else [])


def _settings(server) -> MailboxSettings:
    return MailboxSettings.from_config(imap_config(server, IMAP_FOLDER="INBOX"))


def test_the_poller_source_reads_messages_read_or_unread_by_uid(imap):
    _append(imap, "Application for Bristol IAG")
    _append(imap, "Already read in Outlook", seen=True)
    source = ImapSource(_settings(imap))
    try:
        uids = source.uids()
        sizes, bodies = source.sizes(uids), source.fetch(uids)
        assert source.uidvalidity() > 0
    finally:
        source.close()
    assert [parse_headers(bodies[uid]).subject for uid in uids] == [
        "Application for Bristol IAG",
        "Already read in Outlook",
    ]
    assert uids[0] < uids[1] and all(size > 100 for size in sizes.values())


def test_reading_changes_no_flags(imap):
    _append(imap, "Unread application")
    source = ImapSource(_settings(imap))
    try:
        source.fetch(source.uids())
    finally:
        source.close()
    with connect(_settings(imap)) as client:
        client.select_folder("INBOX", readonly=True)
        flags = client.get_flags(client.search("ALL"))
    assert flags and all(b"\\Seen" not in f for f in flags.values())


def test_mail_announced_in_answer_to_an_earlier_command_ends_the_wait_at_once(imap):
    """The server may tell of new mail at the end of any command (here a NOOP; under `run`, the SEARCH
    that just found the inbox empty). IDLE would not tell again: the wait must not go on."""
    source = ImapSource(_settings(imap))
    try:
        source.wait_for_mail(0.2)  # whatever SELECT said
        assert source.uids() == []
        _append(imap, "Arrived just after the search")
        source.client.noop()
        started = time.monotonic()
        assert source.wait_for_mail(5.0) is True
        assert time.monotonic() - started < 1.0
    finally:
        source.close()


def told_at_once_of_mail_arriving_as_idle_begins(source: ImapSource, deliver) -> bool:
    """Whether a wait ends at once (well before its 30 s) for mail that `deliver` adds just as the source
    asks the server to IDLE: the moment at which the server's news can hide in imaplib's buffer."""
    idle = source.client.idle

    def delivered_then_idle():
        deliver()
        idle()

    source.client.idle = delivered_then_idle
    started = time.monotonic()
    told = source.wait_for_mail(30.0)
    return told and time.monotonic() - started < 5.0


def test_mail_the_server_tells_of_as_idle_starts_ends_the_wait_at_once(imap):
    """Mail that lands between the last look and IDLE is told of by the server together with its
    "+ idling". imaplib reads both at once, so the news waits in its buffer where watching the socket cannot
    see it: without looking there, a message arriving at that moment waited out the whole IDLE."""
    source = ImapSource(_settings(imap))
    try:
        source.wait_for_mail(0.2)  # whatever SELECT said
        assert source.uids() == []
        assert told_at_once_of_mail_arriving_as_idle_begins(source, lambda: _append(imap, "Arrived"))
    finally:
        source.close()


def test_missing_imap_settings_are_named():
    import pytest

    with pytest.raises(ValueError, match="IAG_IMAP_HOST"):
        MailboxSettings.from_config({"IMAP_USERNAME": "x", "IMAP_PASSWORD": "y"})
