"""Backups that restore: a populated instance (web and emailed applications, stored files, raw mail, the
event log) is backed up, restored into an empty one, and checks out: every checksum, `verify-events`, and
`iag-mail reconcile` against the same mailbox."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from tests import harness
from tests.conftest import make_app
from tests.given import given_application
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import poll, reconcile
from webapp.db import session_scope
from webapp.models import Application, InboundEmail

pytestmark = [pytest.mark.committing, pytest.mark.imap]


def _empty_target(app, tmp_path: Path, name: str):
    """A new, empty database of the same kind as the test's, and an empty instance folder."""
    (tmp_path / f"{name}-db").mkdir()
    url, database = harness.fresh_database(app.config["DATABASE_URL"], tmp_path / f"{name}-db")
    target = make_app(
        url,
        tmp_path / name,
        app.config["SMTP_PORT"],
        **{
            k: app.config[k] for k in ("IMAP_HOST", "IMAP_PORT", "IMAP_USERNAME", "IMAP_PASSWORD", "IMAP_TLS")
        },
    )
    return target, database


def _stored_files_match_their_names(instance: Path) -> int:
    checked = 0
    for folder in ("files", "raw-mail"):
        for path in (instance / folder).rglob("*"):
            if path.is_file():
                assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name
                checked += 1
    return checked


def test_a_backup_restores_into_an_empty_instance_and_everything_checks_out(
    mail_app, imap, client, tmp_path, capsys
):
    given_application(mail_app, "bristol")
    raw = mailgen.with_attachment(
        "My IAG application",
        "cv.txt",
        b"About me: twenty years in youth work.",
        sender="Ama <ama@example.net>",
        body="I would like to apply to join the Bristol IAG. About me is attached.",
    )
    mailgen.append(imap, [raw])
    assert poll(mail_app).ingested == 1
    cache = Path(mail_app.instance_path) / "cache"  # the printable forms, made again when wanted
    cache.unlink()  # (in tests, a link to the forms all tests share)
    cache.mkdir()
    (cache / "application-form-en-0123.pdf").write_bytes(b"%PDF-1.7 a cached form")
    archive = tmp_path / "iag-backup.tar.gz"
    made = mail_app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert "keep it encrypted" in made.output
    assert archive.stat().st_mode & 0o077 == 0  # private to its owner
    with tarfile.open(archive) as packed:
        assert not [name for name in packed.getnames() if "cache" in Path(name).parts]

    target, database = _empty_target(mail_app, tmp_path, "restored")
    try:
        runner = target.test_cli_runner()
        done = runner.invoke(args=["restore", str(archive)])
        assert done.exit_code == 0, done.output
        assert "every checksum matched" in done.output
        assert _stored_files_match_their_names(Path(target.instance_path)) >= 2
        assert "Event log intact" in runner.invoke(args=["verify-events"]).output
        with session_scope(target) as session:
            assert session.scalar(select(func.count()).select_from(Application)) == 2
            assert session.scalar(select(func.count()).select_from(InboundEmail)) == 1
        assert reconcile(target, capsys)["unaccounted"] == []
        # A second restore over it is refused, and changes nothing.
        again = runner.invoke(args=["restore", str(archive)])
        assert again.exit_code != 0 and "Restore only into an empty instance" in again.output
        assert "tables in the database" in again.output
    finally:
        target.extensions["iag_engine"].dispose()
        if database is not None:
            database.drop()


def test_a_damaged_backup_is_refused_before_anything_is_written(mail_app, tmp_path):
    given_application(mail_app, "bristol")
    archive = tmp_path / "good.tar.gz"
    assert mail_app.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as good, tarfile.open(damaged, "w:gz") as bad:
        for member in good.getmembers():
            data = good.extractfile(member).read()
            if member.name.startswith("database/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            bad.addfile(member, io.BytesIO(data))
    target, database = _empty_target(mail_app, tmp_path, "target")
    try:
        refused = target.test_cli_runner().invoke(args=["restore", str(damaged)])
        assert refused.exit_code != 0 and "does not match its checksum" in refused.output
        assert inspect(target.extensions["iag_engine"]).get_table_names() == []
        assert not (Path(target.instance_path) / "files").exists()
    finally:
        target.extensions["iag_engine"].dispose()
        if database is not None:
            database.drop()
