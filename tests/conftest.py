"""Fixtures shared by every test. Each database test runs on SQLite and on PostgreSQL
(IAG_TEST_DATABASES=sqlite or =postgresql picks one; `pytest -k sqlite` works too)."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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


ONCE = ("browser", "one_database")


def _once(item) -> bool:
    return any(item.get_closest_marker(name) for name in ONCE)


def _tier(item) -> int:
    """Unit tests first; then the long ones (Chromium, other processes, the access matrix), so that with
    several workers (`make test` runs pytest-xdist) none is left running alone at the end; then the rest."""
    if item.nodeid.startswith("tests/unit/"):
        return 0
    return 1 if _once(item) or commits(item) else 2


def pytest_collection_modifyitems(config, items):
    """The unit tier runs first (a broken rule shows in seconds), the long tests next. Browser journeys are
    about what a person does, not the database, and a test marked `one_database` checks what no database
    changes (which answer each route gives): each runs once, on the first database the run covers (SQLite,
    the embedded default, unless IAG_TEST_DATABASES says otherwise)."""
    items.sort(key=_tier)  # stable: order kept otherwise
    first = f"[{BACKENDS[0]}]" if BACKENDS else ""
    again = [i for i in items if _once(i) and first not in i.nodeid]
    if again:
        config.hook.pytest_deselected(items=again)
        items[:] = [i for i in items if not _once(i) or first in i.nodeid]


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
        "SECRET_KEY": "tests-only-9f2c4e1a7b3d5f6081a2c3e4d5f60718",
        "BASE_URL": "http://127.0.0.1:5000",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_port,
        "SMTP_TLS": "none",
        "TESTING": True,
        "PASSWORD_HASHING": "test",  # the production cost (about 0.4 s a hash) is for real passwords
        # Many tests sign in and apply from one address within seconds; the limits have tests of their own.
        "RATE_LIMIT_SIGN_IN": "10000 per minute",
        "RATE_LIMIT_APPLY": "10000 per minute",
        "RATE_LIMIT_EMAIL": "10000 per minute",
        **extra,
    }
    return create_app(config)


@pytest.fixture(scope="session")
def shared_app(database_url, tmp_path_factory, smtp_sink):
    """One app per database for the whole run; `app` gives each test a clean view of it."""
    application = make_app(database_url, tmp_path_factory.mktemp("instance"), smtp_sink.port)
    _reset(application)
    yield application
    application.extensions["iag_engine"].dispose()


def _reset(app) -> None:
    """Back to the state every test starts from: no rows but the deployment's groups."""
    _empty_all_tables(app)
    with session_scope(app) as session:
        sync_groups(session, app.extensions["deployment"])


# Tests that use these fixtures reach the database from another thread or process, so they cannot share the
# test's one rolled-back transaction: their writes are committed and the tables emptied afterwards.
COMMITTING_FIXTURES = frozenset({"live_server", "second_app"})


def commits(item) -> bool:
    """The test commits for real: marked `committing`, or using a fixture that reaches the database from
    another thread or process."""
    return item.get_closest_marker("committing") is not None or bool(
        COMMITTING_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


@contextmanager
def rolled_back(app) -> Iterator[None]:
    """Every session the app opens during the block joins one outer transaction, rolled back at the end:
    each commit is a savepoint, so the code under test behaves as it would, and nothing is left behind."""
    sessions = app.extensions["iag_sessions"]
    settings = dict(sessions.kw)
    connection = app.extensions["iag_engine"].connect()
    outer = connection.begin()
    sessions.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        sessions.kw = settings
        outer.rollback()
        connection.close()


@pytest.fixture(scope="session")
def form_cache(tmp_path_factory) -> Path:
    """One folder for the printable forms the app caches (instance/cache), for all the tests: a form takes
    about a second to make, and its file name carries a digest of everything it is made from."""
    return tmp_path_factory.mktemp("form-cache")


@pytest.fixture
def app(shared_app, request, tmp_path, smtp_sink, form_cache):
    """The shared app with its own instance folder and settings for this test, and the database as
    `_reset` left it. Settings a test changes are put back afterwards."""
    config, instance_path = dict(shared_app.config), shared_app.instance_path
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "cache").symlink_to(form_cache, target_is_directory=True)
    shared_app.instance_path = str(instance)
    shared_app.config.update(INSTANCE_PATH=str(instance), MAILDIR_PATH=str(instance / "mailbox"))
    shared_app.extensions["iag_rate_limits"].storage.reset()
    smtp_sink.clear()
    try:
        if commits(request.node):
            try:
                yield shared_app
            finally:
                _reset(shared_app)
        else:
            with rolled_back(shared_app):
                yield shared_app
    finally:
        shared_app.config.clear()
        shared_app.config.update(config)
        shared_app.instance_path = instance_path


@pytest.fixture
def second_app(app, tmp_path, smtp_sink):
    """Another instance on the test's database, as a second web server would be: `second_app()` makes one
    (with a deployment file or settings of its own if given). Its test commits for real."""
    made = []

    def make(deployment: Path = AVON, **settings):
        other = make_app(
            app.config["DATABASE_URL"],
            tmp_path / f"other-{len(made)}",
            smtp_sink.port,
            deployment,
            **settings,
        )
        made.append(other)
        return other

    yield make
    for other in made:
        other.extensions["iag_engine"].dispose()


@pytest.fixture
def gwent(second_app):
    """The Gwent example (Welsh and English), its groups in the database."""
    from webapp.deployment import sync_groups

    app = second_app(GWENT)
    with session_scope(app) as session:
        sync_groups(session, app.extensions["deployment"])
    return app


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
    with harness.dovecot_running({IMAP_USER: IMAP_PASSWORD}) as server:
        yield server


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


# --- The identity provider (Microsoft Entra ID's stand-in) ----------------------------------------------


@pytest.fixture(scope="session")
def identity_providers():
    from tests.identity import Providers

    with Providers() as providers:
        yield providers


@pytest.fixture
def entra(app, identity_providers):
    """The app signing staff in with the force account at the test provider."""
    app.config.update(identity_providers.good.settings())
    return identity_providers.good
