"""From a message arriving in the shared mailbox to the staff notification leaving: each message APPENDed to
a real Dovecot, read by the poller as `iag-mail run` runs it (IDLE), and the notification sent by the outbox
worker as `send-mail --loop` runs it, to a real SMTP sink. Prints the median and the slowest, on SQLite and
PostgreSQL. Run: .venv/bin/python -m bench.notification [--messages N]"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path

from bench import on_both_databases
from mail_ingest.poller import Poller
from tests.conftest import AVON, imap_config, make_app
from tests.helpers import make_staff
from tests.mail_ingest import mailgen
from webapp import migrate, outgoing
from webapp.db import session_scope
from webapp.deployment import sync_groups
from webapp.workflow import Role

COORDINATOR = "coordinator@force.example"


def bench(database: str, url: str, server, sink, work: Path, messages: int) -> None:
    migrate.upgrade(url)
    app = make_app(
        url,
        work / f"instance-{database}",
        sink.port,
        deployment=AVON,
        **imap_config(server, MAIL_LEASE_SECONDS=30),
    )
    with session_scope(app) as session:
        sync_groups(session, app.extensions["deployment"])
    make_staff(app, COORDINATOR, Role.POLICE_COORDINATOR, "bristol")
    server.empty_mailboxes()
    stop = threading.Event()
    threads = [
        threading.Thread(target=Poller(app).run, args=(stop,), daemon=True),  # as `iag-mail run`
        threading.Thread(target=outgoing.run_worker, args=(app, stop), daemon=True),  # as `send-mail --loop`
    ]
    for thread in threads:
        thread.start()
    time.sleep(2)

    def told() -> int:
        return sum(1 for m in sink.messages if m["To"] == COORDINATOR)

    delays = []
    for n in range(messages):
        before = told()
        appended = time.perf_counter()
        mailgen.append(
            server,
            [
                mailgen.plain(
                    f"Joining the Bristol IAG ({n})", "I'd like to apply.", sender=f"a{n}@example.org"
                )
            ],
        )
        while told() == before:
            time.sleep(0.005)
        delays.append(time.perf_counter() - appended)
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(30)
    print(
        f"{database:10}  arrival to staff notification: median {statistics.median(delays):.2f} s, "
        f"slowest {max(delays):.2f} s, over {len(delays)} messages"
    )
    app.extensions["iag_engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    on_both_databases(
        lambda database, url, server, sink, work: bench(database, url, server, sink, work, args.messages)
    )


if __name__ == "__main__":
    main()
