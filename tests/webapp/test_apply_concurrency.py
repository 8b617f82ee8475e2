"""Submissions racing each other: one application per draft, a distinct reference per application."""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import func, select

from tests.apply_journey import fill_all, start
from tests.helpers import csrf_token
from webapp.db import session_scope
from webapp.models import Application
from webapp.services import applications

# Other threads or processes reach the database: this module's tests commit for real.
pytestmark = pytest.mark.committing


def _ready_to_submit(app):
    client = app.test_client()
    start(client)
    fill_all(client)
    token = csrf_token(client.get("/apply/check-answers").get_data(as_text=True))
    return client.get_cookie("iag_session").value, token


def _post_together(app, jobs: list[tuple[str, str]]) -> list[int]:
    barrier = threading.Barrier(len(jobs))
    statuses: list[int] = []

    def post(cookie: str, token: str) -> None:
        client = app.test_client()
        client.set_cookie("iag_session", cookie)
        barrier.wait()
        statuses.append(client.post("/apply/submit", data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=post, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return statuses


def test_eight_clicks_at_once_on_agree_and_submit_make_one_application(app):
    cookie, token = _ready_to_submit(app)
    statuses = _post_together(app, [(cookie, token)] * 8)
    assert statuses == [302] * 8
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 1


def test_applicants_submitting_at_once_get_different_references_even_when_the_generator_repeats(
    app, monkeypatch
):
    applicants = [_ready_to_submit(app) for _ in range(6)]
    # Every reference comes out twice, so simultaneous submissions collide and must retry.
    repeated = itertools.chain.from_iterable((f"IAG-AAAA-{c}{c}{c}{c}",) * 2 for c in "BCDEFGHJKMNP")
    lock = threading.Lock()

    def colliding_reference() -> str:
        with lock:
            return next(repeated)

    monkeypatch.setattr(applications, "new_reference", colliding_reference)
    statuses = _post_together(app, applicants)
    assert statuses == [302] * 6
    with session_scope(app) as session:
        references = session.scalars(select(Application.reference)).all()
    assert len(references) == 6 and len(set(references)) == 6
