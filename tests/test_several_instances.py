"""Production shape: two gunicorn instances (two workers each), two `iag-mail run` pollers and two outbox
workers, as separate processes on one PostgreSQL database, one Redis and one shared instance folder, under
a scripted load of web applications (half through each instance) and email arriving in the shared mailbox
meanwhile. Every submission and every message is accounted for exactly once, and every email sent once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from tests import harness
from tests.apply_journey import ANSWERS
from tests.conftest import AVON, IMAP_PASSWORD, IMAP_USER, seal_certificate
from tests.helpers import csrf_token
from tests.mail_ingest import mailgen
from webapp.models import Application, EmailKind, InboundEmail, OutboxMessage, Source

# Other processes reach the database: this module's tests commit for real.
pytestmark = [pytest.mark.imap, pytest.mark.committing]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WEB_APPLICANTS = 24
EMAILS = 40  # 32 applications by email, 8 auto-replies


class Browser:
    """A person's browser over HTTP, with the test client's interface that tests.apply_journey uses."""

    def __init__(self, base: str) -> None:
        self.base, self.http = base, requests.Session()

    def get(self, path: str):
        return _Response(self.http.get(self.base + path, allow_redirects=False, timeout=30))

    def post(self, path: str, data: dict):
        return _Response(self.http.post(self.base + path, data=data, allow_redirects=False, timeout=30))


class _Response:
    def __init__(self, response: requests.Response) -> None:
        self.status_code, self.text = response.status_code, response.text

    def get_data(self, as_text: bool = True) -> str:
        return self.text


def _apply(base: str, number: int) -> str:
    browser = Browser(base)
    page = browser.get("/apply/bristol").get_data()
    assert browser.post("/apply/bristol", {"csrf_token": csrf_token(page)}).status_code == 302
    for slug, data in ANSWERS.items():
        answers = data | ({"email": f"person{number}@example.org"} if slug == "your-details" else {})
        page = browser.get(f"/apply/page/{slug}").get_data()
        response = browser.post(
            f"/apply/page/{slug}", {**answers, "action": "continue", "csrf_token": csrf_token(page)}
        )
        assert response.status_code == 302, (slug, response.status_code)
    page = browser.get("/apply/check-answers").get_data()
    assert browser.post("/apply/submit", {"csrf_token": csrf_token(page)}).status_code == 302
    html = browser.get("/apply/confirmation").get_data()
    return re.search(r'id="reference">(IAG-[A-Z0-9-]+)<', html).group(1)


def _healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except requests.RequestException:  # not listening yet, or its workers still starting
        return False


def test_two_web_instances_and_two_pollers_account_for_everything_once(
    tmp_path, imap, smtp_sink, redis_server
):
    if not harness.postgres_reachable():
        harness.unavailable("PostgreSQL")
    smtp_sink.clear()
    database = harness.PostgresDatabase()
    url = database.create()
    key, cert = seal_certificate()
    env = os.environ | {
        "IAG_DATABASE_URL": url,
        "IAG_INSTANCE_PATH": str(tmp_path / "instance"),  # shared by every process, as a shared volume
        "IAG_DEPLOYMENT_FILE": str(AVON),
        "IAG_SECRET_KEY": "the-same-secret-on-every-instance-4f8a2c9d1e",
        "IAG_BASE_URL": "https://iag.force.example",
        "IAG_SMTP_HOST": "127.0.0.1",
        "IAG_SMTP_PORT": str(smtp_sink.port),
        "IAG_SMTP_TLS": "none",
        "IAG_SEAL_KEY": key,
        "IAG_SEAL_CERT": cert,
        "IAG_IMAP_HOST": imap.host,
        "IAG_IMAP_PORT": str(imap.port),
        "IAG_IMAP_TLS": "false",
        "IAG_IMAP_USERNAME": IMAP_USER,
        "IAG_IMAP_PASSWORD": IMAP_PASSWORD,
        "IAG_REDIS_URL": redis_server.url,
        "IAG_RATE_LIMIT_APPLY": "10000 per minute",  # one test machine is every applicant's address
    }
    processes: list[subprocess.Popen] = []
    logs = tmp_path / "logs"
    logs.mkdir()
    try:
        for command in ("db-upgrade", "load-deployment"):
            subprocess.run(
                [BIN / "flask", "--app", "webapp", command],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        ports = [harness.free_port(), harness.free_port()]
        commands = (
            [
                [
                    BIN / "gunicorn",
                    "-c",
                    "webapp/gunicorn_conf.py",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "webapp:create_app()",
                ]
                for port in ports
            ]
            + [[BIN / "iag-mail", "run"]] * 2
            + [[BIN / "flask", "--app", "webapp", "send-mail", "--loop"]] * 2
        )
        for number, command in enumerate(commands):
            with open(logs / f"process-{number}.log", "wb") as log:
                processes.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log))
        began = time.monotonic()
        harness.wait_until(
            lambda: all(_healthy(port) for port in ports), 60, "both web instances to be healthy"
        )
        started = time.monotonic()

        # The load: applicants on both instances at once, while mail keeps arriving.
        sent = [
            mailgen.plain("Application to join the Bristol IAG", sender=f"Mail {n} <mail{n}@example.net>")
            for n in range(32)
        ] + [
            mailgen.plain(
                "Out of office", sender=f"Away {n} <away{n}@example.net>", Auto_Submitted="auto-replied"
            )
            for n in range(8)
        ]

        def deliver() -> None:
            for start in range(0, EMAILS, 5):
                mailgen.append(imap, sent[start : start + 5])
                time.sleep(0.3)

        arrivals = threading.Thread(target=deliver)
        arrivals.start()
        with ThreadPoolExecutor(max_workers=6) as pool:
            references = list(
                pool.map(lambda n: _apply(f"http://127.0.0.1:{ports[n % 2]}", n), range(WEB_APPLICANTS))
            )
        arrivals.join()
        loaded = time.monotonic()

        engine = create_engine(url)

        def all_mail_in() -> bool:
            with Session(engine) as session:
                moved = select(func.count()).where(InboundEmail.moved_at.is_not(None))
                return session.scalar(moved) == EMAILS

        harness.wait_until(all_mail_in, 90, "every message to be ingested and moved")
        print(
            f"several instances: healthy after {started - began:.1f} s; {WEB_APPLICANTS} applications "
            f"through two instances in {loaded - started:.1f} s while {EMAILS} emails arrived; all mail in "
            f"{time.monotonic() - started:.1f} s after the load began"
        )

        with Session(engine) as session:
            web = session.scalars(select(Application.reference).where(Application.source == Source.WEB)).all()
            assert len(references) == len(set(references)) == WEB_APPLICANTS
            assert sorted(web) == sorted(references)
            for n in range(WEB_APPLICANTS):
                to_them = select(func.count()).where(OutboxMessage.to_address == f"person{n}@example.org")
                assert session.scalar(to_them) == 1, f"person{n} should get one confirmation"

            received = session.execute(select(InboundEmail.message_id, InboundEmail.kind)).all()
            sent_ids = {message_from_bytes(raw)["Message-ID"] for raw in sent}
            assert len(received) == EMAILS and {r.message_id for r in received} == sent_ids
            kinds = [r.kind for r in received]
            assert kinds.count(EmailKind.NEW_APPLICATION) == 32 and kinds.count(EmailKind.AUTOMATIC) == 8
            by_email = select(func.count()).where(Application.source == Source.EMAIL)
            assert session.scalar(by_email) == 32
            for n in range(32):
                to_sender = select(func.count()).where(OutboxMessage.to_address == f"mail{n}@example.net")
                assert session.scalar(to_sender) == 1, f"mail{n} should get one acknowledgement"
            to_away = select(func.count()).where(OutboxMessage.to_address.like("away%"))
            assert session.scalar(to_away) == 0
        engine.dispose()

        # Two outbox workers sent every email once: one per recipient reached the SMTP server.
        recipients = [f"person{n}@example.org" for n in range(WEB_APPLICANTS)]
        recipients += [f"mail{n}@example.net" for n in range(32)]
        harness.wait_until(lambda: len(smtp_sink.messages) >= len(recipients), 60, "the outbox to be sent")
        time.sleep(1)  # a duplicate, if any, would arrive now
        delivered = sorted(message["To"] for message in smtp_sink.messages)
        assert delivered == sorted(recipients)

        report = subprocess.run(
            [BIN / "iag-mail", "reconcile", "--json"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        result = json.loads(report.stdout)
        assert result["unaccounted"] == [] and result["in_inbox_waiting"] == 0
        assert result["in_processed"] + result["in_quarantine"] == EMAILS == result["recorded"]
        assert all(process.poll() is None for process in processes), "a process died: see its log"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        database.drop()
