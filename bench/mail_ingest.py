"""Ingest speed: 1,000 ordinary messages from a real Dovecot, end to end, beside a bare IMAPClient FETCH of
the same messages (the floor), on SQLite and PostgreSQL; and the delay from APPEND to the queue under
`run` (IDLE). Prints figures. Run: .venv/bin/python -m bench.mail_ingest [--messages N]"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path

from imapclient import IMAPClient
from sqlalchemy import func, select

from bench import on_both_databases
from mail_ingest.poller import Poller, open_source
from tests.conftest import AVON, IMAP_PASSWORD, IMAP_USER, imap_config, make_app
from tests.mail_ingest import mailgen
from webapp import migrate
from webapp.db import session_scope
from webapp.deployment import sync_groups
from webapp.models import InboundEmail


def ordinary(n: int) -> bytes:
    if n % 2:
        return mailgen.plain(
            f"Application to join the Bristol IAG ({n})",
            "I would like to apply.\n" * 40,
            sender=f"applicant{n}@example.org",
        )
    return mailgen.plain(
        f"Question {n}", "When and where does the group meet?\n" * 40, sender=f"q{n}@example.org"
    )


def append_all(server, messages: list[bytes]) -> None:
    with IMAPClient(server.host, port=server.port, ssl=False) as client:
        client.login(IMAP_USER, IMAP_PASSWORD)
        for raw in messages:
            client.append("INBOX", raw)


def bare_fetch(server) -> float:
    with IMAPClient(server.host, port=server.port, ssl=False) as client:
        client.login(IMAP_USER, IMAP_PASSWORD)
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        started = time.perf_counter()
        for start in range(0, len(uids), 100):
            client.fetch(uids[start : start + 100], ["BODY.PEEK[]"])
        return time.perf_counter() - started


def count(app) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(InboundEmail))


def bench(database: str, url: str, server, work: Path, messages: int, smtp_port: int) -> None:
    migrate.upgrade(url)
    app = make_app(
        url,
        work / f"instance-{database}",
        smtp_port,
        deployment=AVON,
        **imap_config(server, MAIL_LEASE_SECONDS=30),
    )
    with session_scope(app) as session:
        sync_groups(session, app.extensions["deployment"])
    server.empty_mailboxes()
    append_all(server, [ordinary(n) for n in range(messages)])
    floor = bare_fetch(server)
    poller = Poller(app)
    source = open_source(app)
    poller.take_lease(source)
    started = time.perf_counter()
    report = poller.poll_once(source)
    elapsed = time.perf_counter() - started
    poller.release()
    source.close()
    assert report.ingested == messages, report
    print(
        f"{database:10}  ingest {messages} messages: {elapsed:6.2f} s = {messages / elapsed:6.0f} msg/s   "
        f"(bare FETCH of the same: {floor:5.2f} s = {messages / floor:7.0f} msg/s)"
    )

    stop = threading.Event()
    thread = threading.Thread(target=Poller(app).run, args=(stop,), daemon=True)  # as `iag-mail run`
    thread.start()
    time.sleep(2)
    delays = []
    for n in range(20):
        before = count(app)
        appended = time.perf_counter()
        append_all(server, [mailgen.plain(f"Latency {n}", sender=f"late{n}@example.org")])
        while count(app) == before:
            time.sleep(0.01)
        delays.append(time.perf_counter() - appended)
        time.sleep(0.3)
    stop.set()
    thread.join(30)
    print(
        f"{database:10}  APPEND to queue under run: median {statistics.median(delays):.2f} s, "
        f"max {max(delays):.2f} s over {len(delays)} messages"
    )
    app.extensions["iag_engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    on_both_databases(
        lambda database, url, server, sink, work: bench(database, url, server, work, args.messages, sink.port)
    )


if __name__ == "__main__":
    main()
