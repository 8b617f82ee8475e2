"""Inbox speed at scale: seed 100,000 applications and 500,000 emails on PostgreSQL ,
then time the inbox as a Police Coordinator and as a system admin: the first page, a filtered page, a deep
page (keyset cursor tens of thousands of rows in) and a full-text search. Server time of the whole request
(query, template), median and p95. Aim: p95 under 100 ms each.

Run: .venv/bin/python -m bench.inbox [--applications N] [--emails N] [--runs N]"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text

from tests import harness
from tests.conftest import AVON, make_app
from tests.helpers import make_staff, sign_in
from webapp import migrate
from webapp.db import session_scope
from webapp.deployment import sync_groups
from webapp.models import Application, Group
from webapp.workflow import Role

SURNAMES = ["Smith", "Khan", "Jones", "Patel", "Evans", "Okafor", "Nowak", "Murphy", "Ali", "Williams"]
WORDS = [
    "meeting",
    "evening",
    "community",
    "policing",
    "youth",
    "stop",
    "search",
    "confidence",
    "trust",
    "carnival",
    "mosque",
    "church",
    "football",
    "club",
    "parents",
    "volunteer",
    "schedule",
    "travel",
    "expenses",
    "parking",
    "question",
    "application",
    "form",
    "reference",
    "disability",
    "access",
    "interpreter",
    "language",
    "housing",
    "estate",
    "rural",
    "village",
    "city",
    "centre",
]
STATES = ["submitted", "in review", "discussion invited", "decision proposed", "offered", "unsuccessful"]


def _array(values: list) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values) + "]"


def _pick(array: str, expr: str) -> str:
    return f"({array})[1 + ({expr}) % array_length({array}, 1)]"


def seed(engine, applications: int, emails: int, group_ids: list[int]) -> float:
    """Bulk rows made by PostgreSQL itself (generate_series): seconds taken."""
    started = time.perf_counter()
    series = "generate_series(1, {n}) AS s(g)"
    surname, state, group, word = _array(SURNAMES), _array(STATES), _array(group_ids), _array(WORDS)
    now_, day, sec = "now()", "interval '1 day'", "interval '1 second'"

    def words(k: int) -> str:
        """Five common words and two rarer ones (like names of people and places: ~50,000 of them)."""
        common = [_pick(word, f"g * {p} + {k}") for p in (7, 13, 29, 31, 37)]
        rare = [f"'x' || ((g::bigint * {p} + {k * 104729}) % 50000)" for p in (7919, 6007)]
        return " || ' ' || ".join(common + rare)

    pick = _pick
    with engine.begin() as conn:
        # Bulk load first, index after: as a real import would.
        conn.execute(text("DROP INDEX IF EXISTS ix_search_emails"))
        conn.execute(
            text(
                f"INSERT INTO applicants (id, name, email, created_at) SELECT g, "
                f"'Person' || g || ' ' || {pick(surname, 'g')}, 'p' || g || '@example.org', {now_} "
                f"FROM {series.format(n=applications)}"
            )
        )
        conn.execute(
            text(
                "INSERT INTO applications (id, reference, group_id, applicant_id, source, state, answers, "
                "created_at, submitted_at, state_changed_at) SELECT g, "
                "'IAG-' || substr(lpad(g::text, 8, '0'), 1, 4) || '-' "
                "|| substr(lpad(g::text, 8, '0'), 5, 4), "
                f"{pick(group, 'g')}, g, CASE WHEN g % 3 = 0 THEN 'email' ELSE 'web' END, "
                f"{pick(state, 'g / 7')}, '{{}}', {now_}, {now_} - (g % 400) * {day}, "
                f"{now_} - (g % 400) * {day} - (g % 86400) * {sec} "
                f"FROM {series.format(n=applications)}"
            )
        )
        conn.execute(
            text(
                "INSERT INTO inbound_emails (mailbox, uidvalidity, uid, sha256, message_id, from_address, "
                "from_name, subject, text_body, html_body, kind, reason, application_id, size, flags, "
                'in_reply_to, "references", folder, received_at) SELECT '
                "'INBOX', 1, g, md5(g::text) || md5((g + 1)::text), '<m' || g || '@example.org>', "
                f"'p' || (g % {applications} + 1) || '@example.org', '', "
                f"'About ' || {words(1)}, {words(2)} || ' ' || {words(3)} || ' ' || {words(4)}, '', "
                "CASE WHEN g % 10 = 0 THEN 'needs triage' ELSE 'reply' END, '', "
                f"CASE WHEN g % 10 = 0 THEN NULL ELSE g % {applications} + 1 END, 2000, '', '', '', "
                "'Processed', "
                f"{now_} - (g % 400) * {day} "
                f"FROM {series.format(n=emails)}"
            )
        )
        conn.execute(text("CREATE INDEX ix_search_emails ON inbound_emails USING gin (search_vector)"))
        for table in ("applicants", "applications", "inbound_emails"):
            conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def timed(client, url: str, runs: int) -> tuple[float, float]:
    client.get(url)  # warm
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]


def deep_cursor(app, group_id: int | None, depth: int) -> str:
    with session_scope(app) as session:
        query = select(Application.state_changed_at, Application.id).where(Application.state != "draft")
        if group_id is not None:
            query = query.where(Application.group_id == group_id)
        stamp, row_id = session.execute(
            query.order_by(Application.state_changed_at, Application.id).offset(depth).limit(1)
        ).one()
    return f"{stamp.isoformat()}|{row_id}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--emails", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database and print its URL")
    args = parser.parse_args()
    if not harness.postgres_reachable():
        raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432")
    database = harness.PostgresDatabase()
    url = database.create()
    try:
        migrate.upgrade(url)
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(url, Path(tmp) / "instance", 25, deployment=AVON)
            with session_scope(app) as session:
                sync_groups(session, app.extensions["deployment"])
                groups = {g.slug: g.id for g in session.scalars(select(Group))}
            open_groups = [gid for slug, gid in groups.items() if slug != "strategic"]
            seconds = seed(app.extensions["iag_engine"], args.applications, args.emails, open_groups)
            print(f"seeded {args.applications:,} applications and {args.emails:,} emails in {seconds:.0f} s")
            people = {
                "coordinator (one group)": (Role.POLICE_COORDINATOR, "bristol", groups["bristol"]),
                "system admin (all groups)": (Role.SYSTEM_ADMIN, None, None),
            }
            print(f"{'who':28} {'page':22} {'median ms':>10} {'p95 ms':>8}")
            for who, (role, group, group_id) in people.items():
                login = make_staff(app, f"{role.replace(' ', '-')}@bench.example", role, group)
                client = app.test_client()
                sign_in(client, login)
                visible = args.applications // len(open_groups) if group else args.applications
                depth = visible * 4 // 5  # four fifths of the way down the queue
                pages = {
                    "first page": "/staff/",
                    "filtered (state)": "/staff/?state=in+review&assignee=nobody",
                    f"deep page (row {depth:,})": "/staff/?after=" + deep_cursor(app, group_id, depth),
                    "search (rare word)": "/staff/?q=x4242",
                    "search (common words)": "/staff/?q=carnival+mosque",
                    "search (surname)": "/staff/?q=okafor",
                    "search (reference)": "/staff/?q=IAG-0000-4242",
                }
                for label, page_url in pages.items():
                    median, p95 = timed(client, page_url, args.runs)
                    print(f"{who:28} {label:22} {median:10.1f} {p95:8.1f}")
            app.extensions["iag_engine"].dispose()
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            database.drop()


if __name__ == "__main__":
    main()
