"""Stored files (raw emails, attachments, letters, signed agreements), named by the SHA-256 of their
content: writing the same bytes twice keeps one copy, and a name never comes from outside."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


class FileStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("not a stored file name")
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)  # atomic: a reader sees the whole file or none
        return digest

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
