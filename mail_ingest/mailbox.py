"""The IMAP connection: settings from the app's IAG_IMAP_* configuration, TLS with certificate checks by
default, and messages identified by UIDVALIDITY + UID (never by the \\Seen flag)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    username: str
    password: str
    tls: bool = True
    folder: str = "INBOX"
    timeout: float = 30

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MailboxSettings:
        missing = [name for name in ("IMAP_HOST", "IMAP_USERNAME", "IMAP_PASSWORD") if not config.get(name)]
        if missing:
            raise ValueError("IMAP is not configured: set " + ", ".join(f"IAG_{m}" for m in missing))
        return cls(
            host=config["IMAP_HOST"],
            port=config["IMAP_PORT"],
            username=config["IMAP_USERNAME"],
            password=config["IMAP_PASSWORD"],
            tls=config["IMAP_TLS"],
            folder=config["IMAP_FOLDER"],
        )


@contextmanager
def connect(settings: MailboxSettings) -> Iterator[IMAPClient]:
    context = ssl.create_default_context() if settings.tls else None
    client = IMAPClient(
        settings.host, port=settings.port, ssl=settings.tls, ssl_context=context, timeout=settings.timeout
    )
    try:
        client.login(settings.username, settings.password)
        yield client
    finally:
        try:
            client.logout()
        except Exception:  # the connection may already be gone; nothing to tidy
            client.shutdown()


@dataclass(frozen=True)
class Listed:
    uidvalidity: int
    uid: int
    size: int
    subject: str


def list_messages(client: IMAPClient, folder: str) -> list[Listed]:
    """Every message in `folder`, read or unread, without changing any flag."""
    status = client.select_folder(folder, readonly=True)
    uidvalidity = int(status[b"UIDVALIDITY"])
    uids = client.search("ALL")
    if not uids:
        return []
    fetched = client.fetch(uids, ["RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    listed = []
    for uid in sorted(fetched):
        data = fetched[uid]
        header = data.get(b"BODY[HEADER.FIELDS (SUBJECT)]", b"").decode("utf-8", "replace")
        subject = header.partition(":")[2].strip()
        listed.append(Listed(uidvalidity, uid, int(data[b"RFC822.SIZE"]), subject))
    return listed
