"""Backups that restore: a populated instance (web and emailed applications, stored files, raw mail, the
event log) is backed up, restored into an empty one, and checks out: every checksum, `verify-events`, and
`iag-mail reconcile` against the same mailbox."""

from __future__ import annotations

import hashlib
import io
import json
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


# --- What an archive cannot make a restore do (second security review, medium 1 and lows 1-2) ---------------


def _rebuilt(archive: Path, out: Path, config: dict, extra: dict[str, bytes], key: str | None = None) -> Path:
    """The archive again, with `extra` files added under their names and listed in its manifest (size and
    checksum, as its maker would), sealed with `key` (the service's own, by default: an insider's archive)."""
    from webapp import backup

    with tarfile.open(archive) as good:
        files = {m.name: good.extractfile(m).read() for m in good.getmembers() if m.isfile()}
    manifest = json.loads(files.pop(backup.MANIFEST))
    files.pop(backup.SEAL)
    for name, data in extra.items():
        manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        files[name] = data
    body = json.dumps(manifest).encode()
    sealed = backup._seal({**config, "SECRET_KEY": key or config["SECRET_KEY"]}, body)
    with tarfile.open(out, "w:gz") as tar:
        for name, data in {backup.MANIFEST: body, backup.SEAL: sealed.encode(), **files}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def _refused(mail_app, tmp_path: Path, archive: Path, *options: str) -> tuple[str, object]:
    target, database = _empty_target(mail_app, tmp_path, f"target-{len(list(tmp_path.iterdir()))}")
    try:
        done = target.test_cli_runner().invoke(args=["restore", str(archive), *options])
        tables = inspect(target.extensions["iag_engine"]).get_table_names()
        return done.output, (done.exit_code, tables)
    finally:
        target.extensions["iag_engine"].dispose()
        if database is not None:
            database.drop()


def test_an_archive_naming_files_outside_the_instance_is_refused_and_writes_nothing(mail_app, tmp_path):
    given_application(mail_app, "bristol")
    archive = tmp_path / "good.tar.gz"
    assert mail_app.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    for n, name in enumerate(["instance/../escape.py", "settings/../../escape.py", "other/escape.py"]):
        bad = _rebuilt(archive, tmp_path / f"bad{n}.tar.gz", mail_app.config, {name: b"print('pwned')\n"})
        output, (code, tables) = _refused(mail_app, tmp_path, bad)
        assert code != 0 and "refused" in output, output
        assert tables == []  # not even the database was restored
    assert not list(tmp_path.rglob("escape.py"))


def test_an_archive_not_sealed_with_this_services_key_is_refused_unless_the_operator_trusts_it(
    mail_app, tmp_path
):
    given_application(mail_app, "bristol")
    archive = tmp_path / "good.tar.gz"
    assert mail_app.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    forged = _rebuilt(
        archive, tmp_path / "forged.tar.gz", mail_app.config, {}, key="another-services-key" * 3
    )
    output, (code, tables) = _refused(mail_app, tmp_path, forged)
    assert code != 0 and "not made with this service's secret key" in output and tables == []
    output, (code, tables) = _refused(mail_app, tmp_path, forged, "--trust-unsigned")
    assert code == 0 and "every checksum matched" in output, output
    assert "applications" in tables


def test_a_file_larger_than_its_manifest_says_is_refused_before_anything_is_written(mail_app, tmp_path):
    from webapp import backup

    given_application(mail_app, "bristol")
    archive = tmp_path / "good.tar.gz"
    assert mail_app.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    grown = _rebuilt(archive, tmp_path / "grown.tar.gz", mail_app.config, {"instance/files/x": b"x" * 10})
    with tarfile.open(grown) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    files["instance/files/x"] = b"x" * 10_000_000  # the manifest still says 10 bytes
    with tarfile.open(grown, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    output, (code, tables) = _refused(mail_app, tmp_path, grown)
    assert code != 0 and "is not the size its manifest says" in output and tables == []
    assert backup.MANIFEST in files  # (the archive was otherwise whole)


def test_a_backup_is_private_to_its_owner_from_its_first_byte(tmp_path):
    import os

    from webapp import backup

    before = os.umask(0o022)
    try:
        with backup._private_file(tmp_path / ".archive.partial") as handle:
            assert os.stat(handle.fileno()).st_mode & 0o777 == 0o600
    finally:
        os.umask(before)
