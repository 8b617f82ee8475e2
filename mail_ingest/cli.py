"""iag-mail: run | poll --once | quarantine | reprocess ID|--all | reconcile [--json] | check [--send-to]."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import signal
import sys
import threading
import time
from typing import Any

from sqlalchemy import select

from mail_ingest import check
from mail_ingest.ingest import read, record
from mail_ingest.poller import Poller, open_source
from webapp import create_app
from webapp.db import session_scope
from webapp.models import EmailKind, InboundEmail
from webapp.services import leases

log = logging.getLogger("iag-mail")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="iag-mail", description="Read the shared mailbox into the review queue."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="keep running: IDLE, or poll every IAG_MAIL_POLL_SECONDS")
    poll = commands.add_parser("poll", help="process the inbox once")
    poll.add_argument("--once", action="store_true", required=True)
    listing = commands.add_parser("quarantine", help="list quarantined messages and why")
    listing.add_argument("--json", action="store_true")
    again = commands.add_parser("reprocess", help="read quarantined messages again (after a fix)")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", type=int)
    which.add_argument("--all", action="store_true")
    reconcile = commands.add_parser("reconcile", help="compare the mailbox with the database")
    reconcile.add_argument("--json", action="store_true")
    checking = commands.add_parser("check", help="sign in to the mailbox and SMTP server; say what is wrong")
    checking.add_argument("--send-to", help="also send a test message to this address")
    args = parser.parse_args(argv)

    app = create_app()  # which sets up logging (IAG_LOG_FORMAT), as for the web app
    with app.app_context():
        return COMMANDS[args.command](app, args)


def _run(app, args) -> int:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("iag-mail running; Ctrl+C to stop")
    Poller(app).run(stop)
    return 0


def _poll_once(app, args) -> int:
    poller = Poller(app)
    source = open_source(app)
    try:
        announced = False
        while (holder := poller.take_lease(source)) is not None:
            if not announced:
                print(f"Another poller ({holder}) is reading {source.name}; waiting for it to finish.")
                announced = True
            # Until its lock runs out (a poller that died stops renewing it), looking again each second.
            time.sleep(min(1.0, leases.seconds_left(poller.sessions, poller.lease_name(source))) + 0.01)
        report = poller.poll_once(source)
        print(report)
    finally:
        poller.release()
        source.close()
    return 0


def _quarantine(app, args) -> int:
    with session_scope(app) as session:
        rows = session.scalars(
            select(InboundEmail).where(InboundEmail.kind == EmailKind.QUARANTINED).order_by(InboundEmail.id)
        ).all()
        items: list[dict[str, Any]] = [
            {
                "id": r.id,
                "received": r.received_at.isoformat(),
                "from": r.from_address or r.from_name,
                "subject": r.subject,
                "reason": r.reason,
                "size": r.size,
            }
            for r in rows
        ]
    if args.json:
        print(json.dumps(items, indent=2))
    elif not items:
        print("Nothing is quarantined.")
    else:
        for item in items:
            print(
                f"{item['id']:>6}  {item['received'][:16]}  {item['from'] or 'unknown sender'}: "
                f"{item['subject'][:60]!r}\n        {item['reason']}"
            )
    return 0


def _reprocess(app, args) -> int:
    poller = Poller(app)
    source = open_source(app)
    settings = poller.settings_for(source)
    source.close()
    with session_scope(app) as session:
        query = select(InboundEmail.id).where(InboundEmail.kind == EmailKind.QUARANTINED)
        ids = session.scalars(query if args.all else query.where(InboundEmail.id == args.id)).all()
    if not ids:
        print("No quarantined message with that id." if not args.all else "Nothing is quarantined.")
        return 1 if not args.all else 0
    for email_id in ids:
        with session_scope(app) as session:
            email = session.get_one(InboundEmail, email_id)
            if email.sha256 is None or not poller.raw_store.exists(email.sha256):
                print(
                    f"{email_id}: its body was never fetched ({email.reason}); move it in the mailbox by hand"
                )
                continue
            raw = poller.raw_store.read(email.sha256)
            [result] = record(session, [read(raw, email.sha256, settings, into=email)], settings)
            print(f"{email_id}: now {result.kind}" + (f" ({result.reason})" if result.reason else ""))
    return 0


def _reconcile(app, args) -> int:
    source = open_source(app)
    try:
        seen = {folder: source.folder_message_ids(folder) for folder in (source.processed, source.quarantine)}
        pending = len(source.uids())
    finally:
        source.close()
    with session_scope(app) as session:
        rows = session.execute(
            select(
                InboundEmail.id,
                InboundEmail.message_id,
                InboundEmail.sha256,
                InboundEmail.kind,
                InboundEmail.moved_at,
            )
        ).all()
    by_message_id = {r.message_id for r in rows if r.message_id}
    by_sha = {r.sha256 for r in rows if r.sha256}
    unaccounted = []
    for folder, messages in seen.items():
        for message_id, raw in messages:
            known = (
                message_id in by_message_id
                if message_id
                else hashlib.sha256(raw or b"").hexdigest() in by_sha
            )
            if not known:
                unaccounted.append({"folder": folder, "message_id": message_id})
    result = {
        "mailbox": source.name,
        "in_inbox_waiting": pending,
        "in_processed": len(seen[source.processed]),
        "in_quarantine": len(seen[source.quarantine]),
        "recorded": len(rows),
        "recorded_not_yet_moved": sum(1 for r in rows if r.moved_at is None),
        "unaccounted": unaccounted,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{result['mailbox']}: {pending} waiting in the inbox, {result['in_processed']} processed, "
            f"{result['in_quarantine']} quarantined; {len(rows)} recorded in the database."
        )
        print(f"Unaccounted for: {len(unaccounted)}")
        for item in unaccounted:
            print(f"  in {item['folder']}: {item['message_id'] or '(no Message-ID)'}")
    return 1 if unaccounted else 0


COMMANDS = {
    "run": _run,
    "poll": _poll_once,
    "quarantine": _quarantine,
    "reprocess": _reprocess,
    "reconcile": _reconcile,
    "check": lambda app, args: 0 if check.check(app, args.send_to, print) else 1,
}

if __name__ == "__main__":
    sys.exit(main())
