"""Stored files (raw emails, attachments, letters, signed agreements), named by the SHA-256 of their
content: writing the same bytes twice keeps one copy, and a name never comes from outside."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from flask import Flask

K = TypeVar("K")


def file_store(app: Flask) -> FileStore:
    """Attachments, letters and signed agreements."""
    return FileStore(Path(app.instance_path) / "files")


def raw_mail_store(app: Flask) -> FileStore:
    """Every received message exactly as it came."""
    return FileStore(Path(app.instance_path) / "raw-mail")


class FileStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("not a stored file name")
        return self.root / digest[:2] / digest

    @staticmethod
    def name(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def put(self, data: bytes) -> str:
        return self.put_many({0: data})[0]

    def put_many(self, items: dict[K, bytes]) -> dict[K, str]:
        """Store each of these (once, however often it comes) and return their names. When this returns,
        every file and its folder's entry are on disk (fsync); the waits for the disk overlap."""
        names = {key: self.name(data) for key, data in items.items()}
        todo = {names[key]: data for key, data in items.items() if not self.path(names[key]).exists()}
        if todo:
            with ThreadPoolExecutor(max_workers=min(8, len(todo))) as pool:
                list(pool.map(self._write, todo.items()))
                list(pool.map(_fsync, {self.path(name).parent for name in todo}))
        return names

    def _write(self, item: tuple[str, bytes]) -> None:
        name, data = item
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)  # atomic: a reader sees the whole file or none

    def read(self, digest: str) -> bytes:
        return self.path(digest).read_bytes()

    def exists(self, digest: str) -> bool:
        return self.path(digest).exists()

    def entries(self) -> Iterator[tuple[str, float]]:
        """Every stored file's name and modification time (files still being written are left out)."""
        if not self.root.exists():
            return
        for folder in self.root.iterdir():
            if folder.is_dir():
                for path in folder.iterdir():
                    if not path.name.startswith(".tmp-"):
                        yield path.name, path.stat().st_mtime


def _fsync(folder: Path) -> None:
    """Make a folder's new entries (a file renamed into it) survive a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
