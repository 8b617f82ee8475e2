"""`iag-mail run`: IDLE notices new mail quickly, two pollers never double anything, and an auto-responder
cannot start a mail loop."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from mail_ingest.poller import Poller
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import kinds, poll
from webapp import clock, outgoing
from webapp.db import session_scope
from webapp.models import Application, InboundEmail, OutboxMessage

ARRIVAL_SECONDS = float(os.environ.get("IAG_TEST_ARRIVAL_SECONDS", "60"))


def _count(app) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(InboundEmail))


def _start(app, idle_seconds: float = 2.0) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=Poller(app).run, args=(stop, idle_seconds), daemon=True)
    thread.start()
    return stop, thread


def test_a_message_appended_while_run_is_idle_appears_within_five_seconds(mail_app, imap):
    stop, thread = _start(mail_app, idle_seconds=20)
    try:
        mailgen.append(imap, [mailgen.plain("Warm up", sender="first@example.org")])
        deadline = time.monotonic() + 15
        while _count(mail_app) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # now waiting in IDLE
        delays = []
        for n in range(3):
            appended = time.monotonic()
            mailgen.append(imap, [mailgen.plain(f"Question {n}", sender=f"q{n}@example.org")])
            while _count(mail_app) < n + 2 and time.monotonic() - appended < 10:
                time.sleep(0.02)
            delays.append(time.monotonic() - appended)
        print(f"APPEND to queue under run: {[round(d, 2) for d in delays]} s")
        assert max(delays) < 5
    finally:
        stop.set()
        thread.join(30)


def test_two_pollers_during_a_minute_of_steady_arrivals_make_no_duplicates(mail_app, imap):
    first, first_thread = _start(mail_app)
    second, second_thread = _start(mail_app)
    sent = 0
    try:
        started = time.monotonic()
        while time.monotonic() - started < ARRIVAL_SECONDS:
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
            time.sleep(0.5)
        deadline = time.monotonic() + 30
        while _count(mail_app) < sent and time.monotonic() < deadline:
            time.sleep(0.2)
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
