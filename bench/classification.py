"""How well mail is understood: every message of the corpus (tests/mail_ingest/fixtures/corpus, each named by
what it must become) through the real poller, from a local Maildir into SQLite, then the confusion table of
expected against found, the share right, and each one wrong with its reason. Prints figures.
Run: .venv/bin/python -m bench.classification"""

from __future__ import annotations

import mailbox
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from mail_ingest.parse import ParsedMessage, parse, parse_headers
from mail_ingest.poller import Poller, open_source
from tests import harness
from tests.conftest import make_app
from tests.mail_ingest import corpus, unseen
from webapp import migrate
from webapp.db import session_scope
from webapp.deployment import sync_groups
from webapp.models import Application, EmailKind, InboundEmail, OutboxMessage, OutboxStatus
from webapp.services import inbound


@dataclass(frozen=True)
class Outcome:
    """What the poller made of one message, as a coordinator would check it."""

    kind: str  # the email's kind, in the files' spelling ("needs-triage")
    reason: str
    answer: str  # "application", "enquiry" or "none": what the sender was sent
    mark: str  # the mark shown in triage
    group: str  # the slug of the group of the application it made
    bounced: tuple[str, ...]  # the Message-IDs of our emails it marked bounced


def run_poller(work: Path, files: list[Path], arrange) -> dict[Path, Outcome]:
    """Every file through the real poller, from a local Maildir into SQLite, after `arrange(session)`."""
    url = f"sqlite:///{work / 'classification.sqlite3'}"
    migrate.upgrade(url)
    maildir = work / "mailbox"
    app = make_app(url, work / "instance", harness.free_port(), MAILDIR_PATH=str(maildir))
    with session_scope(app) as session:
        sync_groups(session, app.extensions["deployment"])
        arrange(session)
    box = mailbox.Maildir(maildir, create=True)
    by_id = {}
    for path in files:
        raw = path.read_bytes()
        # The Message-ID as the poller reads it (the raw header), so an odd one still finds its file.
        parsed = parse(raw)
        readable = isinstance(parsed, ParsedMessage)
        by_id[parsed.message_id if readable else parse_headers(raw[:20_000]).message_id] = path
        box.add(raw)
    poller = Poller(app)
    source = open_source(app)
    poller.take_lease(source)
    poller.poll_once(source)
    poller.release()
    source.close()
    with session_scope(app) as session:
        answers = _answers(session)
        emails = session.scalars(select(InboundEmail))
        found = {email.message_id: _outcome(session, email, answers) for email in emails}
    app.extensions["iag_engine"].dispose()
    missing = Outcome(EmailKind.DUPLICATE.value, "not recorded", "none", "", "", ())
    return {path: found.get(message_id, missing) for message_id, path in by_id.items()}


def _answers(session) -> dict[str, str]:
    """What each email was answered with, by its Message-ID: "application" or "enquiry"."""
    answered = session.scalars(
        select(OutboxMessage).where(OutboxMessage.purpose.in_(inbound.PURPOSES)).order_by(OutboxMessage.id)
    )
    answers: dict[str, str] = {}
    for sent in answered:
        kind = "application" if sent.purpose == inbound.PURPOSES[0] else "enquiry"
        answers.setdefault(sent.headers.get("In-Reply-To") or "", kind)
    return answers


def _outcome(session, email: InboundEmail, answers: dict[str, str]) -> Outcome:
    answer = answers.get(email.message_id or "", "none")
    application = session.get(Application, email.application_id) if email.application_id else None
    made = email.kind == EmailKind.NEW_APPLICATION and application is not None and application.group
    # (getattr: the bench also scores the code from before bounces and marks, for the "before" figure.)
    bounced_status = getattr(OutboxStatus, "BOUNCED", None)
    is_bounce = email.kind.value == "bounce"
    bounced = (
        session.scalars(select(OutboxMessage.message_id).where(OutboxMessage.status == bounced_status)).all()
        if bounced_status is not None and is_bounce
        else []
    )
    mark = getattr(email, "mark", None)
    return Outcome(
        email.kind.value.replace(" ", "-"),
        email.reason,
        answer,
        mark.value if mark else "",
        application.group.slug if made and application is not None and application.group else "",
        tuple(bounced),
    )


def classify_corpus(work: Path) -> list[tuple[str, EmailKind, EmailKind, str]]:
    """(file, expected, found, reason) for every message of the first corpus."""
    found = run_poller(work, corpus.files(), corpus.arrange)
    return [
        (path.name, corpus.expected(path), EmailKind(outcome.kind.replace("-", " ")), outcome.reason)
        for path, outcome in found.items()
    ]


def score_unseen(work: Path) -> list[tuple[unseen.Expected, Outcome, list[str]]]:
    """(expected, found, what is wrong) for every message of the second corpus: its kind, who was answered,
    the mark in triage, the group of the application made, and the email of ours a bounce marked."""
    expected = unseen.expectations()
    found = run_poller(work, [row.path for row in expected], unseen.arrange)
    return [(row, found[row.path], wrong(row, found[row.path])) for row in expected]


def wrong(row: unseen.Expected, outcome: Outcome) -> list[str]:
    problems = []
    if outcome.kind != row.kind:
        problems.append(f"kind {outcome.kind}, not {row.kind}")
    if outcome.answer != row.answer:
        problems.append(f"answered {outcome.answer}, not {row.answer}")
    mark = unseen.MARKS.get(row.flag, "")
    if row.flag.startswith("language:") and row.flag not in {"language:en", "language:cy"}:  # ours: no mark
        mark = "" if row.kind == "new-application" else "another language"
    if mark and outcome.mark != mark:
        problems.append(f"marked {outcome.mark or 'nothing'}, not {mark}")
    if row.group and outcome.group != row.group:
        problems.append(f"group {outcome.group or 'not known'}, not {row.group}")
    if row.bounces and row.bounces not in outcome.bounced:
        problems.append(f"did not mark {row.bounces} bounced")
    return problems


def table(pairs: list[tuple[str, str]], kinds: list[str]) -> None:
    counts = Counter(pairs)
    width = max(len(k) for k in kinds) + 2
    print(" " * width + "".join(f"{k[:12]:>14}" for k in kinds))
    for expected in kinds:
        if any(counts[(expected, f)] for f in kinds):
            print(f"{expected:<{width}}" + "".join(f"{counts[(expected, f)] or '.':>14}" for f in kinds))


def main() -> None:
    kinds = [k.value for k in EmailKind if k not in {EmailKind.NOT_APPLICATION}]
    kinds += [] if "bounce" in kinds else ["bounce"]
    with tempfile.TemporaryDirectory() as tmp:
        results = classify_corpus(Path(tmp))
    print(f"First corpus (written with the rules): {len(results)} messages; rows: expected, columns: found\n")
    table([(expected.value, found.value) for _name, expected, found, _reason in results], kinds)
    right = sum(1 for _name, expected, found, _reason in results if expected == found)
    print(f"\nright: {right} of {len(results)} = {100 * right / len(results):.1f} %")
    for name, expected, found, reason in results:
        if expected != found:
            print(f"  wrong: {name}: expected {expected}, found {found} ({reason})")
    if not unseen.UNSEEN.joinpath("expected.json").exists():
        return
    with tempfile.TemporaryDirectory() as tmp:
        scored = score_unseen(Path(tmp))
    print(f"\nSecond corpus (unseen): {len(scored)} messages; the kind, rows: expected, columns: found\n")
    spelled = [k.replace(" ", "-") for k in kinds]
    table([(row.kind, outcome.kind) for row, outcome, _problems in scored], spelled)
    right = sum(1 for _row, _outcome, problems in scored if not problems)
    kind_right = sum(1 for row, outcome, _problems in scored if row.kind == outcome.kind)
    print(
        f"\nkind right: {kind_right} of {len(scored)}; all right (kind, answer, mark, group, bounce): "
        f"{right} of {len(scored)} = {100 * right / len(scored):.1f} %"
    )
    for row, outcome, problems in scored:
        if problems:
            print(f"  wrong: {row.file}: {'; '.join(problems)} ({outcome.reason[:120]})")


if __name__ == "__main__":
    main()
