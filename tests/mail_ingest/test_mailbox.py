"""The project's own IMAP code against a real Dovecot started by the tests."""

from __future__ import annotations

from email.message import EmailMessage

from imapclient import IMAPClient

from mail_ingest.mailbox import MailboxSettings, connect, list_messages
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


def test_lists_appended_messages_read_or_unread_by_uid(imap):
    _append(imap, "Application for Bristol IAG")
    _append(imap, "Already read in Outlook", seen=True)
    with connect(_settings(imap)) as client:
        listed = list_messages(client, "INBOX")
    assert [m.subject for m in listed] == ["Application for Bristol IAG", "Already read in Outlook"]
    assert listed[0].uid < listed[1].uid and listed[0].uidvalidity > 0 and listed[0].size > 100


def test_listing_changes_no_flags(imap):
    _append(imap, "Unread application")
    with connect(_settings(imap)) as client:
        list_messages(client, "INBOX")
        client.select_folder("INBOX", readonly=True)
        flags = client.get_flags(client.search("ALL"))
    assert all(b"\\Seen" not in f for f in flags.values())


def test_missing_imap_settings_are_named():
    import pytest

    with pytest.raises(ValueError, match="IAG_IMAP_HOST"):
        MailboxSettings.from_config({"IMAP_USERNAME": "x", "IMAP_PASSWORD": "y"})
