"""Running in production: /healthz checks the database; every request has an id, returned and logged."""

from __future__ import annotations

import json
import logging
import time

from sqlalchemy import create_engine

from webapp import observability


def test_healthz_says_ok_when_the_database_answers_and_503_when_it_does_not(app, client, tmp_path):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}
    sessions = app.extensions["iag_sessions"]
    working = sessions.kw["bind"]
    unreachable = create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}")
    sessions.configure(bind=unreachable)
    try:
        down = client.get("/healthz")
        assert down.status_code == 503 and down.get_json()["database"] == "unreachable"
    finally:
        sessions.configure(bind=working)
    assert client.get("/healthz").status_code == 200


def test_healthz_answers_at_once_for_a_signed_in_user_too(app):
    """On SQLite a second session in the same request waited 30 s on the first (which had loaded the
    signed-in user) and reported the database down."""
    from tests.review_journey import staff_client
    from webapp.workflow import Role

    admin = staff_client(app, "it@force.example", Role.SYSTEM_ADMIN, None)
    started = time.perf_counter()
    response = admin.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}
    assert time.perf_counter() - started < 5


def test_every_request_gets_an_id_that_the_response_and_the_log_line_carry(client, caplog):
    caplog.set_level(logging.INFO, logger="iag.request")
    made = client.get("/").headers["X-Request-Id"]
    assert len(made) == 32
    kept = client.get("/", headers={"X-Request-Id": "proxy-1234abcd"}).headers["X-Request-Id"]
    assert kept == "proxy-1234abcd"
    refused = client.get("/", headers={"X-Request-Id": "<script>"}).headers["X-Request-Id"]
    assert refused != "<script>" and len(refused) == 32
    lines = [r for r in caplog.records if r.name == "iag.request"]
    assert [r.request_id for r in lines] == [made, "proxy-1234abcd", refused]
    entry = json.loads(observability.JsonFormatter().format(lines[1]))
    assert entry["request_id"] == "proxy-1234abcd" and entry["status"] == 200 and entry["path"] == "/"
