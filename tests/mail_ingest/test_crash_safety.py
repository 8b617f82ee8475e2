"""The `iag-mail` poller, killed with SIGKILL at random points while it ingests, then restarted: every
message is accounted for exactly once. Each poller is a process of its own running `iag-mail poll --once`,
forked from a parent that has done the imports (tests/mail_ingest/forking.py); the last run is the real
`iag-mail` script."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import IMAP_PASSWORD, IMAP_USER
from tests.mail_ingest import mailgen
from tests.mail_ingest.forking import Forked, Parent
from tests.mail_ingest.test_poller import kinds, reconcile
from webapp.db import session_scope
from webapp.models import Application, EmailKind, InboundEmail, Lease
from webapp.services import events

# Other threads or processes reach the database: this module's tests commit for real.
pytestmark = pytest.mark.committing

IAG_MAIL = str(Path(sys.executable).parent / "iag-mail")
KILLS = int(os.environ.get("IAG_TEST_KILLS", "20"))


def poller_env(app, imap) -> dict[str, str]:
    return {
        **os.environ,
        "IAG_DATABASE_URL": app.config["DATABASE_URL"],
        "IAG_INSTANCE_PATH": app.instance_path,
        "IAG_DEPLOYMENT_FILE": app.config["DEPLOYMENT_FILE"],
        "IAG_SECRET_KEY": app.config["SECRET_KEY"],
        "IAG_SMTP_HOST": "127.0.0.1",
        "IAG_SMTP_PORT": str(app.config["SMTP_PORT"]),
        "IAG_SMTP_TLS": "none",
        "IAG_IMAP_HOST": imap.host,
        "IAG_IMAP_PORT": str(imap.port),
        "IAG_IMAP_USERNAME": IMAP_USER,
        "IAG_IMAP_PASSWORD": IMAP_PASSWORD,
        "IAG_IMAP_TLS": "false",
        "IAG_MAIL_LEASE_SECONDS": "1",
    }


def recorded(app) -> int:
    return sum(kinds(app).values())


def stored(app) -> int:
    """Messages whose raw bytes are on disk (each message is stored once, by its content)."""
    return sum(1 for path in (Path(app.instance_path) / "raw-mail").rglob("*") if path.is_file())


def holds_the_lock(app, process: Forked) -> bool:
    """The poller has taken the mailbox's lock (its holder name carries the process id)."""
    with session_scope(app) as session:
        holder = session.scalar(select(Lease.holder).where(Lease.name.like("mail-poller:%")))
    return holder is not None and f":{process.pid}:" in holder


def wait_until(condition, limit: float = 120) -> None:
    """Poll `condition` until it holds; `limit` only turns a hung poller into a failure."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "the poller made no progress"
        time.sleep(0.01)


def test_killed_twenty_times_while_ingesting_500_messages_nothing_is_lost_or_doubled(mail_app, imap, capsys):
    seed = random.randrange(1_000_000)
    chance = random.Random(seed)
    messages = []
    for n in range(500):
        if n % 2:
            messages.append(
                mailgen.plain(
                    f"Application to join the Bristol IAG ({n})",
                    "Please consider me.",
                    sender=f"applicant{n}@example.org",
                )
            )
        else:
            messages.append(
                mailgen.plain(f"Question {n}", "When do you meet?", sender=f"asker{n}@example.org")
            )
    mailgen.append(imap, messages)
    env = poller_env(mail_app, imap)
    progress = []
    with Parent(env) as parent:
        for run in range(KILLS):
            before = progress[-1] if progress else 0
            process = parent.start("poll", "--once")
            # Each kill comes at a point of progress this test sees, never at a time, in turn: while it starts
            # up (holding the lock its successor must wait out); once it has written new messages' raw bytes
            # (before their transaction commits); and twice once at least `target` messages are recorded (a
            # group of ingesting on, while it moves them out of the inbox). Or when it has finished.
            target = min(500, before + chance.randint(1, 50))
            files = stored(mail_app)

            def due(process=process, target=target, files=files, point=run % 4) -> bool:
                if process.poll() is not None:
                    return True
                if point == 0:
                    return holds_the_lock(mail_app, process)
                if point == 1:
                    return stored(mail_app) > files
                return recorded(mail_app) >= target

            wait_until(due)
            process.send_signal(signal.SIGKILL)
            process.wait()
            progress.append(recorded(mail_app))
    finished = subprocess.run(
        [IAG_MAIL, "poll", "--once"], env=env, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    with capsys.disabled():
        print(f"\nseed {seed}; messages recorded after each kill: {progress}")
    assert len({p for p in progress if 0 < p < 500}) >= 3, (
        "fewer than 3 kills landed in the middle of ingesting"
    )

    assert kinds(mail_app) == Counter({"new application": 250, "needs triage": 250})
    with session_scope(mail_app) as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 250
        assert session.scalar(select(func.count()).where(InboundEmail.kind == EmailKind.DUPLICATE)) == 0
        per_message = session.execute(
            select(InboundEmail.message_id, func.count())
            .group_by(InboundEmail.message_id)
            .having(func.count() > 1)
        ).all()
        assert per_message == []
        assert events.verify(session).intact
    assert mailgen.folder_counts(imap) == {"INBOX": 0, "Processed": 500, "Quarantine": 0}
    assert reconcile(mail_app, capsys)["unaccounted"] == []
