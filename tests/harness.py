"""The real parts the suite runs against, each started by the tests themselves: a fresh PostgreSQL database
on the local server, a private Dovecot on loopback, an SMTP sink and a live web server for Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("IAG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def unavailable(what: str) -> None:
    """A missing real part: a failure under CI, a skip on a developer's machine."""
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


def wait_until(check, timeout: float, what: str) -> None:
    """Wait for a state (`check()` true), looking four times a second; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(
    process: subprocess.Popen, name: str, port: int, say: bytes, answer: bytes, hint: str, timeout: float = 15
) -> None:
    """Wait until a server we started answers on loopback `port` as expected (or say why not)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {process.stderr.read().decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if say:
                    sock.sendall(say)
                if sock.recv(100).startswith(answer):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not answer on port {port}{': ' + hint if hint else ''}")


def self_signed(folder: Path, name: str = "127.0.0.1", stem: str = "") -> tuple[Path, Path]:
    """A certificate and key for a loopback server, valid for `name` (an address or a host name)."""
    cert, key = folder / f"{stem}cert.pem", folder / f"{stem}key.pem"
    alt = f"IP:{name}" if name[0].isdigit() else f"DNS:{name}"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
         "-addext", f"subjectAltName={alt}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


# --- PostgreSQL -------------------------------------------------------------------------------------------


class PostgresDatabase:
    """A database of our own on the local server, created for the run and dropped afterwards."""

    def __init__(self) -> None:
        self.name = f"iag_test_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{self.name}"

    def create(self) -> str:
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self.url

    def drop(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def fresh_database(database_url: str, folder: Path) -> tuple[str, PostgresDatabase | None]:
    """A new, empty database of the same kind as `database_url`: a SQLite file in `folder`, or a
    PostgreSQL database of our own (returned, to be dropped)."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{folder / 'fresh.sqlite3'}", None
    database = PostgresDatabase()
    return database.create(), database


def postgres_reachable() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


# --- Dovecot ----------------------------------------------------------------------------------------------

DOVECOT_CONF = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{dir}/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_uid = nobody
mail_gid = nogroup
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={dir}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
"""


@dataclass
class Dovecot:
    directory: Path
    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"
    users: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    # With these, XOAUTH2 sign-in too: Dovecot's oauth2 passdb asks this URL (the provider's userinfo)
    # whom a bearer token belongs to, trusting the CA file for its TLS.
    oauth2_userinfo_url: str | None = None
    oauth2_ca_file: str | None = None
    # With this (certificate, key), IMAP over TLS on `port`, as a real mail server; plain IMAP stays on
    # `plain_port` for the start-up check.
    tls: tuple[Path, Path] | None = None
    plain_port: int = field(default_factory=free_port)

    def start(self, users: dict[str, str]) -> None:
        self.users = users
        self.directory.mkdir(parents=True, exist_ok=True)
        # Dovecot drops to `nobody` for mail: every folder on the way must be reachable by it.
        for path in [self.directory, *self.directory.parents]:
            if path == Path("/"):
                break
            path.chmod(path.stat().st_mode | 0o755)
        (self.directory / "mail").mkdir(exist_ok=True)
        shutil.chown(self.directory / "mail", "nobody", "nogroup")
        (self.directory / "users").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()))
        conf = self.directory / "dovecot.conf"
        text = DOVECOT_CONF.format(dir=self.directory, port=self.plain_port if self.tls else self.port)
        if self.tls:
            cert, key = self.tls
            text = text.replace("ssl = no\n", f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n")
            imaps = "inet_listener imaps {\n    port = "
            text = text.replace(imaps + "0", imaps + str(self.port))
        if self.oauth2_userinfo_url:
            (self.directory / "oauth2.conf.ext").write_text(
                f"introspection_mode = auth\nintrospection_url = {self.oauth2_userinfo_url}\n"
                f"username_attribute = sub\ntls_ca_cert_file = {self.oauth2_ca_file}\n"
            )
            text = text.replace("auth_mechanisms = plain login", "auth_mechanisms = plain login xoauth2")
            text = text.replace(
                "userdb {\n",
                "passdb {\n  driver = oauth2\n  mechanisms = xoauth2\n"
                f"  args = {self.directory}/oauth2.conf.ext\n}}\nuserdb {{\n",
                1,
            )
        conf.write_text(text)
        self.process = subprocess.Popen(
            ["dovecot", "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self._wait_for_greeting()

    def _wait_for_greeting(self) -> None:
        port = self.plain_port if self.tls else self.port
        wait_for_server(self.process, "dovecot", port, b"", b"* OK", f"see {self.directory}/dovecot.log")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def empty_mailboxes(self) -> None:
        """Remove every user's mail between tests (Dovecot recreates INBOX on the next login)."""
        for child in (self.directory / "mail").iterdir():
            shutil.rmtree(child, ignore_errors=True)


@contextmanager
def dovecot_running(users: dict[str, str], tls: bool = False) -> Iterator[Dovecot]:
    """A Dovecot of our own for as long as the block runs (with `tls`, IMAP over TLS with a self-signed
    certificate for 127.0.0.1, which the caller must trust)."""
    if shutil.which("dovecot") is None:
        unavailable("Dovecot (apt-get install dovecot-imapd)")
    # Not under pytest's own temporary folder: pytest makes that private (0700) at every session start,
    # which would lock Dovecot's unprivileged processes out of their files if another suite starts.
    directory = Path(tempfile.mkdtemp(prefix="iag-dovecot-"))
    server = Dovecot(directory, tls=self_signed(directory) if tls else None)
    try:
        server.start(users)
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


# --- Redis ------------------------------------------------------------------------------------------------


@dataclass
class Redis:
    """A private redis-server on loopback (no disk, no system config), for limits shared by instances."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_for_server(self.process, "redis-server", self.port, b"PING\r\n", b"+PONG", "")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


# --- SMTP sink --------------------------------------------------------------------------------------------


class SMTPSink:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    @property
    def port(self) -> int:
        return self.controller.port

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def wait_for(self, predicate, timeout: float = 10) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self.messages:
                    if predicate(message):
                        return message
            time.sleep(0.05)
        raise AssertionError(f"no matching email arrived in {timeout} s; got {len(self.messages)} others")


# --- Live server ------------------------------------------------------------------------------------------


class LiveServer:
    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
