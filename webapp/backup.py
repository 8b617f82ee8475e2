"""One archive holds everything needed to bring an instance back: the database (SQLite's online backup, or
`pg_dump`), the instance folder's stored files and raw mail, the seal certificate and key, the deployment
file and the settings file, with a manifest of SHA-256 checksums. Restoring goes only into an empty
instance, and checks every checksum before it writes anything."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask import Flask
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from webapp import migrate
from webapp.clock import now
from webapp.config import VERSION
from webapp.services import signing

FORMAT = 1
MANIFEST = "manifest.json"
# Inside the instance folder: what is data (kept), and what is made again or belongs to this machine.
SKIPPED = {"iag.sqlite3", "iag.sqlite3-wal", "iag.sqlite3-shm", "iag.sqlite3-journal", "cache"}
DATA_FOLDERS = ("files", "raw-mail")


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with what to do about it."""


@dataclass(frozen=True)
class Restored:
    files: int
    database: str
    revision: str | None
    outside: list[str]


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database or "") if parsed.get_backend_name() == "sqlite" else None


def _libpq_url(url: str) -> str:
    """pg_dump's form of the SQLAlchemy URL (no `+psycopg`)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _settings_files(app: Flask) -> dict[str, Path]:
    """The files the settings point at that exist, by their name in the archive."""
    return {name: path for name, path in _settings_paths(app).items() if path.is_file()}


def _settings_paths(app: Flask) -> dict[str, Path]:
    seal = signing.seal_settings(app)
    return {
        "deployment.toml": Path(app.config["DEPLOYMENT_FILE"]),
        "seal/cert.pem": Path(seal.cert_path),
        "seal/key.pem": Path(seal.key_path),
    }


def _instance_files(instance: Path) -> Iterator[Path]:
    for path in sorted(instance.rglob("*")):
        relative = path.relative_to(instance)
        if relative.parts[0] in SKIPPED or not path.is_file() or path.name.startswith(".tmp-"):
            continue
        yield path


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return _digest(handle)


def _digest(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _sqlite_copy(source_file: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while the web app and poller keep writing."""
    source, copy = sqlite3.connect(source_file), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _dump_database(url: str, target: Path) -> str:
    sqlite_file = _sqlite_path(url)
    if sqlite_file is not None:
        _sqlite_copy(sqlite_file, target)
        return "sqlite"
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", _libpq_url(url)])
    return "postgresql"


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client).")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def backup(app: Flask, archive: Path) -> dict[str, Any]:
    """Write the archive (atomically: a failure leaves no half-written file). Returns the manifest."""
    config = app.config
    instance = Path(config["INSTANCE_PATH"])
    archive = archive.resolve()
    with tempfile.TemporaryDirectory(prefix="iag-backup-") as work:
        dump = Path(work) / "database"
        kind = _dump_database(config["DATABASE_URL"], dump)
        members: dict[str, Path] = {f"database/{kind}": dump}
        members.update({f"instance/{p.relative_to(instance)}": p for p in _instance_files(instance)})
        for name, path in _settings_files(app).items():
            if not path.resolve().is_relative_to(instance.resolve()):
                members[f"settings/{name}"] = path
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "made_at": now().isoformat(),
            "database": kind,
            "revision": migrate.current(config["DATABASE_URL"]),
            "files": {
                name: {"sha256": _sha256(path), "size": path.stat().st_size} for name, path in members.items()
            },
        }
        partial = archive.with_name(f".{archive.name}.partial")
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(now().timestamp())
            tar.addfile(info, io.BytesIO(body))
            for name, path in members.items():
                tar.add(path, arcname=name, recursive=False)
        os.chmod(partial, 0o600)  # it holds the seal's private key and everyone's personal data
        os.replace(partial, archive)
    return manifest


def _empty(config: dict[str, Any]) -> list[str]:
    """What makes the target instance not empty (nothing: it is empty)."""
    found = []
    instance = Path(config["INSTANCE_PATH"])
    for folder in DATA_FOLDERS:
        if (instance / folder).exists() and any(p.is_file() for p in (instance / folder).rglob("*")):
            found.append(f"stored files in {instance / folder}")
    engine = create_engine(config["DATABASE_URL"])
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        found.append(f"{len(tables)} tables in the database")
    return found


def _check(tar: tarfile.TarFile) -> dict[str, Any]:
    """Read the manifest and check every member's checksum; nothing is written."""
    try:
        manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
    except (KeyError, ValueError) as exc:
        raise BackupError("This is not an IAG Membership backup: it has no readable manifest.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"This backup's format ({manifest.get('format')}) is not one this release reads.")
    names = {m.name for m in tar.getmembers() if m.isfile()} - {MANIFEST}
    if names != set(manifest["files"]):
        raise BackupError("The backup's contents do not match its manifest: it is incomplete or altered.")
    for member in tar.getmembers():
        if member.name == MANIFEST or not member.isfile():
            continue
        handle = tar.extractfile(member)
        assert handle is not None
        if _digest(handle) != manifest["files"][member.name]["sha256"]:
            raise BackupError(f"{member.name} does not match its checksum: the backup is damaged.")
    return manifest


def restore(app: Flask, archive: Path) -> Restored:
    """Restore into the configured, empty database and instance folder."""
    config = app.config
    not_empty = _empty(config)
    if not_empty:
        raise BackupError(
            "Restore only into an empty instance: found " + "; ".join(not_empty) + ". Use a new database "
            "and instance folder (nothing was changed)."
        )
    instance = Path(config["INSTANCE_PATH"])
    with tarfile.open(archive, "r:gz") as tar:
        manifest = _check(tar)
        kind = manifest["database"]
        if kind != ("sqlite" if _sqlite_path(config["DATABASE_URL"]) else "postgresql"):
            raise BackupError(f"This backup holds a {kind} database; IAG_DATABASE_URL is another kind.")
        with tempfile.TemporaryDirectory(prefix="iag-restore-") as work:
            tar.extractall(work, filter="data")
            _restore_database(config["DATABASE_URL"], kind, Path(work) / "database" / kind)
            copied, outside = 0, []
            for name in manifest["files"]:
                source = Path(work) / name
                if name.startswith("instance/"):
                    target = instance / name.removeprefix("instance/")
                elif name.startswith("settings/"):
                    target = _settings_target(app, name.removeprefix("settings/"))
                    outside.append(str(target))
                else:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                copied += 1
    return Restored(copied, kind, manifest.get("revision"), outside)


def _settings_target(app: Flask, name: str) -> Path:
    """Where a file the settings point at goes back: its configured place when that is free, otherwise
    beside the instance (instance/restored/NAME), for the IT team to compare and move."""
    target = _settings_paths(app)[name]
    return target if not target.exists() else Path(app.config["INSTANCE_PATH"]) / "restored" / name


def _restore_database(url: str, kind: str, dump: Path) -> None:
    if kind == "sqlite":
        target = _sqlite_path(url)
        assert target is not None
        _sqlite_copy(dump, target)
        return
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={_libpq_url(url)}",
            str(dump),
        ]
    )
