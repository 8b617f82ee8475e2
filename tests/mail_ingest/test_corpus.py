"""The corpus of real mail shapes through the real Dovecot, on each database: every message becomes what
its file name says, once; only people who start a conversation are answered, each once."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from mail_ingest.parse import parse_headers
from tests.mail_ingest import corpus, mailgen
from tests.mail_ingest.test_poller import poll
from webapp.db import session_scope
from webapp.models import EmailKind, InboundEmail, OutboxMessage

ANSWERED = {EmailKind.NEW_APPLICATION, EmailKind.NEEDS_TRIAGE}


def test_every_shape_in_the_corpus_becomes_what_it_should(mail_app, imap):
    files = corpus.files()
    assert len(files) >= 60
    with session_scope(mail_app) as session:
        corpus.arrange(session)
    raws = {path: path.read_bytes() for path in files}
    mailgen.append(imap, list(raws.values()))
    report = poll(mail_app)
    assert report.ingested == len(files)
    assert mailgen.folder_counts(imap)["INBOX"] == 0
    with session_scope(mail_app) as session:
        found = {
            e.message_id: (e.kind, e.reason, e.from_address) for e in session.scalars(select(InboundEmail))
        }
        acknowledged = Counter(
            session.scalars(
                select(OutboxMessage.to_address).where(OutboxMessage.purpose.like("%acknowledgement"))
            )
        )
    wrong = []
    people = set()
    for path, raw in raws.items():
        kind, reason, sender = found[parse_headers(raw[:20_000]).message_id]
        if kind != corpus.expected(path):
            wrong.append(f"{path.name}: {kind} ({reason})")
        if kind in ANSWERED:
            people.add(sender)
    assert wrong == []
    assert len(found) == len(files)  # each once
    assert max(acknowledged.values()) == 1  # nobody answered twice
    # Every sender whose mail started a conversation was answered (forwarded applications: the writer).
    assert people - {"pat.officer@avonandsomerset.police.uk"} <= set(acknowledged) | {None}
    assert corpus.KNOWN_APPLICANT not in acknowledged  # replies continue a thread: no acknowledgement
