"""Running in production: /healthz checks the database; every request has an id, returned and logged."""

from __future__ import annotations

import json
import logging
import time

from sqlalchemy import create_engine

from webapp import observability


def _pyproject_version() -> str:
    import tomllib

    from webapp.config import PROJECT_ROOT

    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_version_is_in_the_staff_footer_and_has_a_changelog_entry(app, client):
    from tests.helpers import make_staff, sign_in
    from webapp.config import PROJECT_ROOT
    from webapp.workflow import Role

    version = _pyproject_version()
    assert f"IAG Membership {version}" not in client.get("/").get_data(as_text=True)
    sign_in(client, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    assert f"IAG Membership {version}" in client.get("/staff/").get_data(as_text=True)
    assert f"## {version} " in (PROJECT_ROOT / "CHANGELOG.md").read_text()


def test_healthz_says_ok_when_the_database_answers_and_503_when_it_does_not(app, client, tmp_path):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "version": _pyproject_version()}
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
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "version": _pyproject_version()}
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
