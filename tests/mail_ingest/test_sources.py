"""The embedded Maildir default, a changed UIDVALIDITY, reprocessing, and Microsoft 365 tokens."""

from __future__ import annotations

import argparse
import mailbox
from collections import Counter
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlalchemy import func, select

from mail_ingest import cli
from mail_ingest.mailbox import MailboxSettings, MaildirSource
from mail_ingest.poller import Poller
from tests.conftest import IMAP_PASSWORD, IMAP_USER
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import kinds, poll, reconcile
from webapp.db import session_scope
from webapp.models import Application, EmailKind, Event, InboundEmail
from webapp.services import leases


def test_the_local_maildir_is_read_with_the_same_guarantees(app, capsys, tmp_path):
    path = Path(app.config["MAILDIR_PATH"])
    box = mailbox.Maildir(path, create=True)
    for n in range(6):
        box.add(mailgen.plain(f"Application to join the Bristol IAG ({n})", sender=f"m{n}@example.org"))
    box.add(b"no headers at all")
    assert poll(app).ingested == 7
    assert kinds(app) == Counter({"new application": 6, "quarantined": 1})
    assert len(box) == 0
    assert len(box.get_folder("Processed")) == 6 and len(box.get_folder("Quarantine")) == 1
    assert reconcile(app, capsys)["unaccounted"] == []
    box.add(mailgen.plain("A question", sender="q@example.org"))
    assert poll(app).ingested == 1 and sum(kinds(app).values()) == 8


def test_a_message_recorded_but_not_moved_before_a_crash_is_only_moved_next_time(app, monkeypatch):
    path = Path(app.config["MAILDIR_PATH"])
    box = mailbox.Maildir(path, create=True)
    box.add(mailgen.plain("Application to join the Bristol IAG", sender="a@example.org"))

    def crash(self, uids, folder):
        raise KeyboardInterrupt("killed between commit and move")

    with monkeypatch.context() as patch:
        patch.setattr(MaildirSource, "move", crash)
        with pytest.raises(KeyboardInterrupt):
            poll(app)
    assert len(box) == 1 and sum(kinds(app).values()) == 1
    report = poll(app)
    assert (report.ingested, report.moved) == (0, 1)
    assert len(box) == 0 and sum(kinds(app).values()) == 1


def test_a_changed_uidvalidity_is_reported_and_causes_no_duplicates(mail_app, imap):
    mailgen.append(
        imap,
        [
            mailgen.plain(f"Application to join the Bristol IAG ({n})", sender=f"u{n}@example.org")
            for n in range(5)
        ],
    )
    poll(mail_app)
    # The server renumbers its mailbox (as after a restore) and the messages come back into the inbox.
    with IMAPClient(imap.host, port=imap.port, ssl=False) as client:
        client.login(IMAP_USER, IMAP_PASSWORD)
        client.select_folder("Processed")
        client.copy(client.search("ALL"), "INBOX")
    inbox = imap.directory / "mail" / IMAP_USER  # Dovecot's INBOX: forget its UIDs and its index
    for state in [inbox / "dovecot-uidlist", *inbox.glob("dovecot.index*")]:
        state.unlink()
    report = poll(mail_app)
    assert report.uidvalidity_changed
    assert kinds(mail_app) == Counter({"new application": 5, "duplicate": 5})
    with session_scope(mail_app) as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 5
        assert session.scalar(select(Event).where(Event.action == "mailbox uidvalidity changed")) is not None


def test_reprocess_reads_a_quarantined_message_again(mail_app, imap, capsys, monkeypatch):
    import mail_ingest.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "parse", lambda *a, **k: (_ for _ in ()).throw(ValueError("bug")))
    mailgen.append(imap, [mailgen.plain("Application to join the Somerset IAG", sender="r@example.org")])
    poll(mail_app)
    monkeypatch.undo()  # the bug is fixed
    with session_scope(mail_app) as session:
        email_id = session.scalar(select(InboundEmail.id).where(InboundEmail.kind == EmailKind.QUARANTINED))
    capsys.readouterr()
    with mail_app.app_context():  # as the iag-mail command runs it
        cli._reprocess(mail_app, argparse.Namespace(id=email_id, all=False))
    assert (
        f"{email_id}: now new application (asks to apply (“Application to join”); for the Somerset IAG)"
        in capsys.readouterr().out
    )
    with session_scope(mail_app) as session:
        application = session.scalar(select(Application))
        assert application.group.slug == "somerset"
        assert session.get(InboundEmail, email_id).application_id == application.id
    assert reconcile(mail_app, capsys)["unaccounted"] == []


# Tokens from Microsoft's sign-in service, refused tokens and renewal: tests/mail_ingest/test_imap_oauth.py


def test_xoauth2_settings_name_what_is_missing():
    with pytest.raises(ValueError, match="IAG_IMAP_OAUTH_TENANT, IAG_IMAP_OAUTH_CLIENT_ID"):
        MailboxSettings.from_config(
            {
                "IMAP_HOST": "outlook.office365.com",
                "IMAP_USERNAME": "iag@force.example",
                "IMAP_AUTH": "xoauth2",
            }
        )


def test_a_second_poller_says_so_and_waits(mail_app, imap, capsys):
    from mail_ingest.poller import open_source

    first = Poller(mail_app)
    source = open_source(mail_app)
    try:
        assert first.take_lease(source) is None
        second = Poller(mail_app)
        assert second.take_lease(source) == first.holder
        # `iag-mail poll --once` waits for the lock to run out (unless renewed): about the lease's length.
        left = leases.seconds_left(second.sessions, second.lease_name(source))
        assert 0 < left <= mail_app.config["MAIL_LEASE_SECONDS"]
        first.release()
        assert leases.seconds_left(second.sessions, second.lease_name(source)) == 0
        assert second.take_lease(source) is None
        second.release()
    finally:
        first.release()
        source.close()
