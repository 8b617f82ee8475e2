"""`iag-mail run`: IDLE notices new mail quickly, two pollers never double anything, and an auto-responder
cannot start a mail loop."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mail_ingest.mailbox import ImapSource, MailboxSettings
from mail_ingest.poller import Poller
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import kinds, poll
from webapp import clock, outgoing
from webapp.db import session_scope
from webapp.models import Application, InboundEmail, OutboxMessage

ARRIVAL_BATCHES = int(os.environ.get("IAG_TEST_ARRIVAL_BATCHES", "40"))


def _count(app) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(InboundEmail))


class WatchedSource(ImapSource):
    """The real mailbox, with a flag the test can wait on: set while the poller waits for new mail (IDLE),
    so the test appends at the moment that matters instead of after a guessed delay."""

    def __init__(self, settings: MailboxSettings, waiting: threading.Event) -> None:
        super().__init__(settings)
        self.waiting = waiting

    def wait_for_mail(self, seconds: float) -> bool:
        self.waiting.set()
        try:
            return super().wait_for_mail(seconds)
        finally:
            self.waiting.clear()


def _start(app, idle_seconds: float = 2.0, waiting: threading.Event | None = None):
    stop = threading.Event()
    factory = None
    if waiting is not None:
        factory = lambda: WatchedSource(MailboxSettings.from_config(app.config), waiting)  # noqa: E731
    thread = threading.Thread(target=Poller(app, factory).run, args=(stop, idle_seconds), daemon=True)
    thread.start()
    return stop, thread


def _wait_for(condition, limit: float = 30) -> None:
    """Until `condition` holds; `limit` only turns a stuck poller into a failure."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "the pollers made no progress"
        time.sleep(0.02)


@pytest.mark.committing
def test_a_message_appended_while_run_is_idle_appears_within_five_seconds(mail_app, imap):
    waiting = threading.Event()
    stop, thread = _start(mail_app, idle_seconds=20, waiting=waiting)
    try:
        mailgen.append(imap, [mailgen.plain("Warm up", sender="first@example.org")])
        _wait_for(lambda: _count(mail_app) >= 1)
        delays = []
        for n in range(3):
            assert waiting.wait(30), "the poller never went back to waiting for mail"
            appended = time.monotonic()
            mailgen.append(imap, [mailgen.plain(f"Question {n}", sender=f"q{n}@example.org")])
            while _count(mail_app) < n + 2 and time.monotonic() - appended < 10:
                time.sleep(0.02)
            delays.append(time.monotonic() - appended)
        print(f"APPEND to queue under run: {[round(d, 2) for d in delays]} s")
        assert max(delays) < 5
    finally:
        stop.set()
        # One more message ends its IDLE at once, so it sees the stop without waiting out the 20 s.
        mailgen.append(imap, [mailgen.plain("Last", sender="last@example.org")])
        thread.join(30)
        assert not thread.is_alive()


@pytest.mark.committing
def test_two_pollers_while_mail_keeps_arriving_make_no_duplicates(mail_app, imap):
    """Batches of five keep arriving while both pollers work: each batch is appended as soon as the one
    before the last has been recorded, so mail lands during fetching, recording and moving alike."""
    first, first_thread = _start(mail_app)
    second, second_thread = _start(mail_app)
    sent = 0
    try:
        for _ in range(ARRIVAL_BATCHES):
            batch = [
                mailgen.plain(
                    f"Application to join the Bristol IAG ({sent + i})",
                    "Please consider me.",
                    sender=f"steady{sent + i}@example.org",
                )
                for i in range(5)
            ]
            mailgen.append(imap, batch)
            sent += len(batch)
            _wait_for(lambda: _count(mail_app) >= sent - 2 * len(batch))  # noqa: B023
        _wait_for(lambda: _count(mail_app) >= sent)
    finally:
        first.set()
        second.set()
        first_thread.join(30)
        second_thread.join(30)
    assert kinds(mail_app) == Counter({"new application": sent})
    with session_scope(mail_app) as session:
        assert session.scalar(select(func.count()).select_from(Application)) == sent
        doubled = session.execute(
            select(InboundEmail.message_id).group_by(InboundEmail.message_id).having(func.count() > 1)
        ).all()
        assert doubled == []
    assert mailgen.folder_counts(imap) == {"INBOX": 0, "Processed": sent, "Quarantine": 0}


def test_an_auto_responder_answering_for_an_hour_gets_one_acknowledgement(mail_app, imap, smtp_sink):
    """It answers every email we send it, for an hour: sometimes properly marked as automatic, sometimes
    not (some auto-responders set no headers at all), and sometimes as a new message about applying."""
    mailgen.append(
        imap,
        [
            mailgen.plain(
                "Application to join the Bristol IAG", "Please consider me.", sender="Pat <pat@example.org>"
            )
        ],
    )
    answered: set[str] = set()
    for minute in range(60):
        with clock.travel(timedelta(minutes=minute)):
            poll(mail_app)
            outgoing.send_due(mail_app)
            replies = []
            for message in list(smtp_sink.messages):
                if message["To"] != "pat@example.org" or message["Message-ID"] in answered:
                    continue
                answered.add(message["Message-ID"])
                style = minute % 3
                if style == 0:
                    replies.append(
                        mailgen.plain(
                            f"Automatic reply: {message['Subject']}",
                            "I am away.",
                            sender="pat@example.org",
                            Auto_Submitted="auto-replied",
                            In_Reply_To=message["Message-ID"],
                        )
                    )
                elif style == 1:
                    replies.append(
                        mailgen.plain(
                            f"Re: {message['Subject']}",
                            "I am away.",
                            sender="pat@example.org",
                            In_Reply_To=message["Message-ID"],
                        )
                    )
                else:
                    replies.append(
                        mailgen.plain(
                            "Out of office re your application", "I am away.", sender="pat@example.org"
                        )
                    )
            if minute and not replies:  # keep it going as a misbehaving responder would
                replies.append(
                    mailgen.plain(
                        "Out of office re your application",
                        f"I am away ({minute}).",
                        sender="pat@example.org",
                    )
                )
            mailgen.append(imap, replies)
    with session_scope(mail_app) as session:
        acknowledgements = session.scalar(
            select(func.count()).where(
                OutboxMessage.purpose == "acknowledgement", OutboxMessage.to_address == "pat@example.org"
            )
        )
        assert acknowledgements == 1
    assert sum(1 for m in smtp_sink.messages if m["To"] == "pat@example.org") == 1
