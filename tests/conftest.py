"""Fixtures shared by every test. Each database test runs on SQLite and on PostgreSQL
(IAG_TEST_DATABASES=sqlite or =postgresql picks one; `pytest -k sqlite` works too)."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from tests import harness
from webapp import create_app, migrate
from webapp.config import PROJECT_ROOT
from webapp.db import Base, session_scope
from webapp.deployment import sync_groups
from webapp.pdf.seal import make_certificate

AVON = PROJECT_ROOT / "instance" / "examples" / "avon-and-somerset.toml"
GWENT = PROJECT_ROOT / "instance" / "examples" / "gwent.toml"
BACKENDS = [
    b.strip() for b in os.environ.get("IAG_TEST_DATABASES", "sqlite,postgresql").split(",") if b.strip()
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true nothing may be skipped: a missing PostgreSQL, Dovecot or Chromium fails the run."""
    outcome = yield
    report = outcome.get_result()
    if harness.IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"


# --- databases --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated database for the whole run, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'iag.sqlite3'}"
        migrate.upgrade(url)
        yield url
        return
    if not harness.postgres_reachable():
        harness.unavailable("PostgreSQL on 127.0.0.1:5432")
    database = harness.PostgresDatabase()
    url = database.create()
    try:
        migrate.upgrade(url)
        yield url
    finally:
        database.drop()


def _empty_all_tables(app) -> None:
    engine = app.extensions["iag_engine"]
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
        conn.execute(text("INSERT INTO event_chain_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64})


# --- the app ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_sink():
    sink = harness.SMTPSink()
    sink.start()
    yield sink
    sink.stop()


@functools.cache
def seal_certificate() -> tuple[str, str]:
    """One self-signed seal certificate for the whole run (making one takes a moment)."""
    folder = Path(tempfile.mkdtemp(prefix="iag-seal-"))
    make_certificate(folder / "key.pem", folder / "cert.pem", "Test Police")
    return str(folder / "key.pem"), str(folder / "cert.pem")


def make_app(database_url: str, instance: Path, smtp_port: int, deployment: Path = AVON, **extra):
    key, cert = seal_certificate()
    config = {
        "SEAL_KEY": key,
        "SEAL_CERT": cert,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "DEPLOYMENT_FILE": str(deployment),
        "SECRET_KEY": "test-secret-key",
        "BASE_URL": "http://127.0.0.1:5000",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_port,
        "SMTP_TLS": "none",
        "TESTING": True,
        # Many tests sign in and apply from one address within seconds; the limits have tests of their own.
        "RATE_LIMIT_SIGN_IN": "10000 per minute",
        "RATE_LIMIT_APPLY": "10000 per minute",
        "RATE_LIMIT_EMAIL": "10000 per minute",
        **extra,
    }
    return create_app(config)


@pytest.fixture
def app(database_url, tmp_path, smtp_sink):
    application = make_app(database_url, tmp_path / "instance", smtp_sink.port)
    _empty_all_tables(application)
    with session_scope(application) as session:
        sync_groups(session, application.extensions["deployment"])
    smtp_sink.clear()
    yield application
    application.extensions["iag_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- Dovecot ----------------------------------------------------------------------------------------------

IMAP_USER, IMAP_PASSWORD = "strategiciag", "secret-imap-password"


@pytest.fixture(scope="session")
def dovecot():
    if shutil.which("dovecot") is None:
        harness.unavailable("Dovecot (apt-get install dovecot-imapd)")
    # Not under pytest's own temporary folder: pytest makes that private (0700) at every session start,
    # which would lock Dovecot's unprivileged processes out of their files if another suite starts.
    directory = Path(tempfile.mkdtemp(prefix="iag-dovecot-"))
    server = harness.Dovecot(directory)
    try:
        server.start({IMAP_USER: IMAP_PASSWORD})
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def imap(dovecot):
    """The Dovecot server with empty mailboxes."""
    dovecot.empty_mailboxes()
    return dovecot


# --- Redis ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if shutil.which("redis-server") is None:
        harness.unavailable("Redis (apt-get install redis-server)")
    server = harness.Redis(tmp_path_factory.mktemp("redis"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


# --- Chromium ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(harness.CHROMIUM).exists():
        harness.unavailable("Chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    server = harness.LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def mail_app(app, imap):
    """The app pointed at the test Dovecot, with a short lock lease so killed pollers are replaced quickly."""
    app.config.update(imap_config(imap, MAIL_LEASE_SECONDS=3, MAIL_POLL_SECONDS=5))
    return app


def imap_config(server, **extra) -> dict:
    """Settings that point an app at a test Dovecot."""
    return {
        "IMAP_HOST": server.host,
        "IMAP_PORT": server.port,
        "IMAP_USERNAME": IMAP_USER,
        "IMAP_PASSWORD": IMAP_PASSWORD,
        "IMAP_TLS": False,
        **extra,
    }
