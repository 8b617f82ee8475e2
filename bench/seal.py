"""Signed agreement speed: the median time to render one signed agreement (WeasyPrint) and seal it
(pyHanko, PAdES) in a warm process. Aim: under 0.5 s. Run: .venv/bin/python -m bench.seal [--runs N]"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tests.conftest import AVON, make_app
from webapp import migrate
from webapp.clock import now
from webapp.db import session_scope
from webapp.deployment import sync_groups
from webapp.models import Applicant, Application, Group, SigningRequest, Source
from webapp.services import documents, signing


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        app = make_app(url, Path(tmp) / "instance", 25, deployment=AVON)
        with app.test_request_context(), session_scope(app) as session:
            sync_groups(session, app.extensions["deployment"])
            group = session.query(Group).filter_by(slug="bristol").one()
            application = Application(
                reference="IAG-2346-7899",
                group=group,
                applicant=Applicant(name="Amina Yusuf", email="amina@example.org"),
                source=Source.WEB,
                state="agreement sent",
                answers={},
            )
            session.add(application)
            session.flush()
            request = SigningRequest(
                application_id=application.id,
                token_hash="0" * 64,
                sent_at=now(),
                expires_at=now(),
                first_opened_at=now(),
                email_verified_at=now(),
                signed_at=now(),
                signed_name="Amina Yusuf",
                ip_address="203.0.113.7",
                user_agent="Mozilla/5.0 (bench)",
            )
            shown = documents.shown_to(session, group, "Amina Yusuf")
            signing.signed_pdf(application, request, shown)  # warm: fonts, WeasyPrint, the key
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                pdf = signing.signed_pdf(application, request, shown)
                samples.append(time.perf_counter() - started)
        samples.sort()
        print(f"render and seal one signed agreement ({len(pdf):,} bytes, {args.runs} runs)")
        median, p95 = statistics.median(samples), samples[int(0.95 * len(samples)) - 1]
        print(f"median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")


if __name__ == "__main__":
    main()
