"""How well mail is understood: every message of the corpus (tests/mail_ingest/fixtures/corpus, each named by
what it must become) through the real poller, from a local Maildir into SQLite, then the confusion table of
expected against found, the share right, and each one wrong with its reason. Prints figures.
Run: .venv/bin/python -m bench.classification"""

from __future__ import annotations

import mailbox
import tempfile
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from mail_ingest.parse import parse_headers
from mail_ingest.poller import Poller, open_source
from tests import harness
from tests.conftest import make_app
from tests.mail_ingest import corpus
from webapp import migrate
from webapp.db import session_scope
from webapp.deployment import sync_groups
from webapp.models import EmailKind, InboundEmail


def classify_corpus(work: Path) -> list[tuple[str, EmailKind, EmailKind, str]]:
    """(file, expected, found, reason) for every message of the corpus."""
    url = f"sqlite:///{work / 'classification.sqlite3'}"
    migrate.upgrade(url)
    maildir = work / "mailbox"
    app = make_app(url, work / "instance", harness.free_port(), MAILDIR_PATH=str(maildir))
    with session_scope(app) as session:
        sync_groups(session, app.extensions["deployment"])
        corpus.arrange(session)
    box = mailbox.Maildir(maildir, create=True)
    by_id = {}
    for path in corpus.files():
        raw = path.read_bytes()
        by_id[parse_headers(raw[:20_000]).message_id] = path
        box.add(raw)
    poller = Poller(app)
    source = open_source(app)
    poller.take_lease(source)
    poller.poll_once(source)
    poller.release()
    source.close()
    with session_scope(app) as session:
        found = {
            email.message_id: (email.kind, email.reason) for email in session.scalars(select(InboundEmail))
        }
    app.extensions["iag_engine"].dispose()
    return [
        (path.name, corpus.expected(path), *found.get(message_id, (EmailKind.DUPLICATE, "not recorded")))
        for message_id, path in by_id.items()
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = classify_corpus(Path(tmp))
    kinds = [k for k in EmailKind if k not in {EmailKind.NOT_APPLICATION}]
    table = Counter((expected, found) for _name, expected, found, _reason in results)
    width = max(len(k) for k in kinds) + 2
    print(f"{len(results)} messages; rows: expected, columns: found\n")
    print(" " * width + "".join(f"{k[:12]:>14}" for k in kinds))
    for expected in kinds:
        if any(table[(expected, f)] for f in kinds):
            print(f"{expected:<{width}}" + "".join(f"{table[(expected, f)] or '.':>14}" for f in kinds))
    right = sum(1 for _name, expected, found, _reason in results if expected == found)
    print(f"\nright: {right} of {len(results)} = {100 * right / len(results):.1f} %")
    for name, expected, found, reason in results:
        if expected != found:
            print(f"  wrong: {name}: expected {expected}, found {found} ({reason})")


if __name__ == "__main__":
    main()
