"""Call-out speed, the service's part of it: a call-out to N members of one group (email to each, and a
text message to each through GOV.UK Notify, its HTTP API faked on loopback as in the tests), from the
Coordinator pressing "Send" to each member's email at a real SMTP server and each text at Notify, and
then each member's answer recorded. Prints the time to open the call-out, to the first and the median
delivery, and per answer. People's own answer times are shown on each call-out's page.

Run: .venv/bin/python -m bench.call_outs [--members N]"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tests import harness
from tests.conftest import AVON, make_app
from tests.notify_fake import FakeNotify
from webapp import migrate, outgoing
from webapp.clock import now
from webapp.db import session_scope
from webapp.deployment import sync_groups
from webapp.models import Applicant, Application, CallOut, Group, Member, Source, StaffUser
from webapp.services import call_outs, members


def _members(session, group: Group, count: int) -> None:
    for n in range(count):
        application = Application(
            reference=f"IAG-BNCH-{n:04d}",
            group=group,
            applicant=Applicant(name=f"Member {n}", email=f"member{n}@example.org", phone="+447700900000"),
            source=Source.WEB,
            state="member",
            answers={},
        )
        session.add(application)
        session.flush()
        joined = members.join(session, application, None)
        session.get_one(Member, joined.member_id).phone = f"+4477009{n:05d}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200)
    args = parser.parse_args()
    sink = harness.SMTPSink()
    sink.start()
    with tempfile.TemporaryDirectory() as tmp, FakeNotify() as notify:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        app = make_app(url, Path(tmp) / "instance", sink.port, deployment=AVON, **notify.settings())
        with app.test_request_context():
            with session_scope(app) as session:
                sync_groups(session, app.extensions["deployment"])
                group = session.scalar(select(Group).where(Group.slug == "bristol"))
                _members(session, group, args.members)
                coordinator = StaffUser(email="priya@force.example", name="Priya")
                session.add(coordinator)
            with session_scope(app) as session:
                group = session.scalar(select(Group).where(Group.slug == "bristol"))
                coordinator = session.scalar(select(StaffUser))
                ids = [membership.id for membership, _member in members.of_group(session, group.id)]
                started = time.perf_counter()
                call_out = call_outs.open_call_out(
                    session,
                    group,
                    coordinator,
                    call_outs.Ask(
                        "What should officers know?", "within hours", now() + timedelta(hours=4), ids
                    ),
                )
                call_out_id = call_out.id
            opened = time.perf_counter() - started
            arrivals: list[float] = []
            while len(sink.messages) < args.members or len(notify.sent) < args.members:
                before = len(sink.messages) + len(notify.sent)
                outgoing.send_due(app, limit=50)
                arrived = len(sink.messages) + len(notify.sent)
                arrivals += [time.perf_counter() - started] * (arrived - before)
            answering = []
            with session_scope(app) as session:
                found = session.get_one(CallOut, call_out_id)
                for row in call_outs.answers(session, found):
                    begun = time.perf_counter()
                    call_outs.answer(session, found, row.recipient, row.member, "available", "")
                    answering.append(time.perf_counter() - begun)
    sink.stop()
    emails_and_texts = len(arrivals)
    print(f"call-out to {args.members} members ({emails_and_texts} emails and texts)")
    print(f"opened (every email and text queued) in {opened * 1000:.0f} ms")
    print(
        f"delivered: first after {arrivals[0]:.2f} s, median after {statistics.median(arrivals):.2f} s, "
        f"last after {arrivals[-1]:.2f} s"
    )
    print(f"each answer recorded in a median of {statistics.median(answering) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
