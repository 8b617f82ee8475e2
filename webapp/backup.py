"""One archive holds everything needed to bring an instance back: the database (SQLite's online backup, or
`pg_dump`), the instance folder's stored files and raw mail, the seal certificate and key, the deployment
file and the settings file, with a manifest of SHA-256 checksums. Restoring goes only into an empty
instance, and checks every checksum before it writes anything."""

from __future__ import annotations

import hashlib
import hmac
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
SEAL = "manifest.hmac"  # HMAC-SHA256 of the manifest under a key made from IAG_SECRET_KEY
PARTS = ("database/", "instance/", "settings/")
MAX_MANIFEST = 16 * 1024 * 1024  # bytes of manifest read: far more than any instance's file list
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
        body = json.dumps(manifest, indent=2).encode()
        # Private from its first byte: it holds the seal's private key and everyone's personal data.
        with _private_file(partial) as handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
            for name, data in ((MANIFEST, body), (SEAL, _seal(config, body).encode())):
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o600, int(now().timestamp())
                tar.addfile(info, io.BytesIO(data))
            for name, path in members.items():
                tar.add(path, arcname=name, recursive=False)
        os.replace(partial, archive)
    return manifest


def _private_file(path: Path) -> IO[bytes]:
    """A new file only its owner can read, whatever the umask, from the moment it exists."""
    path.unlink(missing_ok=True)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _seal(config: dict[str, Any], manifest: bytes) -> str:
    """Who made the archive: an HMAC of its manifest (which holds every file's checksum) under a key made
    from IAG_SECRET_KEY, so only a host with this service's secret key can make one a restore trusts."""
    key = hmac.new(config["SECRET_KEY"].encode(), b"iag-membership backup archive", hashlib.sha256).digest()
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


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


def _check(
    tar: tarfile.TarFile, config: dict[str, Any], trust: bool, room: Path, settings: set[str]
) -> dict[str, Any]:
    """Who made it, what it holds, where each file would go, its size and every checksum; nothing is
    written."""
    try:
        body = tar.extractfile(MANIFEST).read(MAX_MANIFEST)  # type: ignore[union-attr]
        manifest = json.loads(body)
    except (KeyError, ValueError, AttributeError) as exc:
        raise BackupError("This is not an IAG Membership backup: it has no readable manifest.") from exc
    if not trust:
        _check_seal(tar, config, body)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"This backup's format ({manifest.get('format')}) is not one this release reads.")
    members = {m.name: m for m in tar.getmembers() if m.isfile()}
    if set(members) - {MANIFEST, SEAL} != set(manifest["files"]):
        raise BackupError("The backup's contents do not match its manifest: it is incomplete or altered.")
    for name in manifest["files"]:
        _check_name(name)
        if name.startswith("settings/") and name.removeprefix("settings/") not in settings:
            raise BackupError(f"The backup holds a settings file this service does not have ({name[:100]}).")
        if members[name].size != manifest["files"][name]["size"]:
            raise BackupError(f"{name} is not the size its manifest says: the backup is damaged or altered.")
    needed = 2 * sum(member.size for member in members.values())  # unpacked once, then copied into place
    if needed > shutil.disk_usage(room).free:
        raise BackupError(f"Restoring needs {needed:,} bytes free beside the instance; there are fewer.")
    for member in members.values():
        if member.name in {MANIFEST, SEAL}:
            continue
        handle = tar.extractfile(member)
        assert handle is not None
        if _digest(handle) != manifest["files"][member.name]["sha256"]:
            raise BackupError(f"{member.name} does not match its checksum: the backup is damaged.")
    return manifest


def _check_seal(tar: tarfile.TarFile, config: dict[str, Any], manifest: bytes) -> None:
    try:
        sealed = tar.extractfile(SEAL).read(200).decode()  # type: ignore[union-attr]
    except (KeyError, AttributeError, UnicodeDecodeError):
        sealed = ""
    if not hmac.compare_digest(sealed, _seal(config, manifest)):
        raise BackupError(
            "This backup was not made with this service's secret key (IAG_SECRET_KEY), so it cannot be "
            "trusted: it may have been altered. Set the same IAG_SECRET_KEY as the service that made it, or, "
            "if you know where it came from, restore it with --trust-unsigned. Nothing was changed."
        )


def _check_name(name: str) -> None:
    """A file the archive may hold: under one of its parts, relative, never climbing out of it."""
    parts = Path(name).parts
    if not name.startswith(PARTS) or name.startswith("/") or ".." in parts or "\\" in name or len(parts) < 2:
        raise BackupError(f"The backup names a file outside what a backup holds ({name[:100]}): refused.")


def restore(app: Flask, archive: Path, trust_unsigned: bool = False) -> Restored:
    """Restore into the configured, empty database and instance folder. An archive not sealed with this
    service's secret key is refused unless the operator trusts it (`trust_unsigned`)."""
    config = app.config
    not_empty = _empty(config)
    if not_empty:
        raise BackupError(
            "Restore only into an empty instance: found " + "; ".join(not_empty) + ". Use a new database "
            "and instance folder (nothing was changed)."
        )
    instance = Path(config["INSTANCE_PATH"])
    instance.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        manifest = _check(tar, config, trust_unsigned, instance, set(_settings_paths(app)))
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
                    target = _inside(instance, name.removeprefix("instance/"))
                elif name.startswith("settings/"):
                    target = _settings_target(app, name.removeprefix("settings/"))
                    outside.append(str(target))
                else:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                copied += 1
    return Restored(copied, kind, manifest.get("revision"), outside)


def _inside(folder: Path, name: str) -> Path:
    """`folder / name`, refused if it would land anywhere else (a link, a climb out)."""
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise BackupError(f"The backup would write outside the instance folder ({name[:100]}): refused.")
    return target


def _settings_target(app: Flask, name: str) -> Path:
    """Where a file the settings point at goes back: its configured place when that is free, otherwise
    beside the instance (instance/restored/NAME), for the IT team to compare and move. Only the files the
    settings name: anything else is refused."""
    paths = _settings_paths(app)
    if name not in paths:
        raise BackupError(f"The backup holds a settings file this service does not have ({name[:100]}).")
    target = paths[name]
    instance = Path(app.config["INSTANCE_PATH"])
    return target if not target.exists() else _inside(instance / "restored", name)


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
