"""Where mail comes from: an IMAP mailbox (password or Microsoft 365 XOAUTH2, TLS with certificate checks
by default), or, on the embedded default, a local Maildir. Both identify messages by UIDVALIDITY + UID,
read them without setting \\Seen, and move them to the Processed or Quarantine folder once recorded."""

from __future__ import annotations

import hashlib
import logging
import mailbox
import os
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from mail_ingest.parse import parse_headers
from webapp.services.mail_tokens import Registration, TokenSource

log = logging.getLogger(__name__)
BATCH = 100


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    username: str
    password: str = ""
    tls: bool = True
    folder: str = "INBOX"
    processed: str = "Processed"
    quarantine: str = "Quarantine"
    auth: str = "password"
    registration: Registration | None = None  # with xoauth2: the app registration the token comes from
    timeout: float = 30

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MailboxSettings:
        oauth2 = config.get("IMAP_AUTH", "password") == "xoauth2"
        needed = ["IMAP_HOST", "IMAP_USERNAME", *([] if oauth2 else ["IMAP_PASSWORD"])]
        missing = [name for name in needed if not config.get(name)]
        if missing:
            raise ValueError("IMAP is not configured: set " + ", ".join(f"IAG_{m}" for m in missing))
        return cls(
            host=config["IMAP_HOST"],
            port=config.get("IMAP_PORT", 993),
            username=config["IMAP_USERNAME"],
            password=config.get("IMAP_PASSWORD") or "",
            tls=config.get("IMAP_TLS", True),
            folder=config.get("IMAP_FOLDER", "INBOX"),
            processed=config.get("IMAP_PROCESSED_FOLDER", "Processed"),
            quarantine=config.get("IMAP_QUARANTINE_FOLDER", "Quarantine"),
            auth=config.get("IMAP_AUTH", "password"),
            registration=Registration.from_config(config) if oauth2 else None,
        )


@contextmanager
def connect(settings: MailboxSettings, tokens: TokenSource | None = None) -> Iterator[IMAPClient]:
    context = ssl.create_default_context() if settings.tls else None
    client = IMAPClient(
        settings.host, port=settings.port, ssl=settings.tls, ssl_context=context, timeout=settings.timeout
    )
    try:
        if settings.registration is not None:
            tokens = tokens or TokenSource.for_registration(settings.registration)
            try:
                client.oauth2_login(settings.username, tokens.token())  # IMAPClient builds the XOAUTH2 string
            except LoginError as exc:
                tokens.forget()
                raise ConnectionError(
                    f"The mailbox refused the OAuth2 token for {settings.username} ({exc}). A token was "
                    "issued but does not open this mailbox: check the app registration has IMAP.AccessAsApp "
                    "(admin consent given), its service principal is registered in Exchange Online "
                    "(New-ServicePrincipal) with FullAccess to this mailbox (Add-MailboxPermission), and "
                    "IAG_IMAP_USERNAME is the mailbox's address. A new token is asked for on the next try."
                ) from exc
        else:
            client.login(settings.username, settings.password)
        yield client
    finally:
        try:
            client.logout()
        except Exception:  # the connection may already be gone; nothing to tidy
            client.shutdown()


class Source(Protocol):
    """What the poller needs from a mailbox."""

    name: str
    processed: str
    quarantine: str

    def uidvalidity(self) -> int: ...
    def uids(self) -> list[int]: ...
    def sizes(self, uids: list[int]) -> dict[int, int]: ...
    def fetch(self, uids: list[int]) -> dict[int, bytes]: ...
    def headers(self, uids: list[int]) -> dict[int, bytes]: ...
    def move(self, uids: list[int], folder: str) -> None: ...
    def wait_for_mail(self, seconds: float) -> bool: ...
    def folder_message_ids(self, folder: str) -> list[tuple[str | None, bytes | None]]: ...
    def close(self) -> None: ...


class ImapSource:
    def __init__(self, settings: MailboxSettings, tokens: TokenSource | None = None) -> None:
        self.settings = settings
        self.name = f"imap://{settings.username}@{settings.host}:{settings.port}/{settings.folder}"
        self.processed, self.quarantine = settings.processed, settings.quarantine
        self._connection = connect(settings, tokens)
        self.client = self._connection.__enter__()
        for folder in (self.processed, self.quarantine):
            if not self.client.folder_exists(folder):
                self.client.create_folder(folder)
        self._status = self.client.select_folder(settings.folder)
        self.can_move = self.client.has_capability("MOVE")
        self.can_idle = self.client.has_capability("IDLE")

    def uidvalidity(self) -> int:
        return int(self._status[b"UIDVALIDITY"])

    def uids(self) -> list[int]:
        return sorted(self.client.search("ALL"))

    def sizes(self, uids: list[int]) -> dict[int, int]:
        if not uids:
            return {}
        return {
            uid: int(data[b"RFC822.SIZE"]) for uid, data in self.client.fetch(uids, ["RFC822.SIZE"]).items()
        }

    def fetch(self, uids: list[int]) -> dict[int, bytes]:
        if not uids:
            return {}
        return {
            uid: data[b"BODY[]"]
            for uid, data in self.client.fetch(uids, ["BODY.PEEK[]"]).items()
            if b"BODY[]" in data
        }

    def headers(self, uids: list[int]) -> dict[int, bytes]:
        if not uids:
            return {}
        fetched = self.client.fetch(uids, ["BODY.PEEK[HEADER]"])
        return {uid: data.get(b"BODY[HEADER]", b"") for uid, data in fetched.items()}

    def move(self, uids: list[int], folder: str) -> None:
        if not uids:
            return
        if self.can_move:
            self.client.move(uids, folder)
        else:  # COPY, then delete only these messages
            self.client.copy(uids, folder)
            self.client.delete_messages(uids)
            if self.client.has_capability("UIDPLUS"):
                self.client.uid_expunge(uids)
            else:
                self.client.expunge()

    def wait_for_mail(self, seconds: float) -> bool:
        """IDLE until the server says something changed (True) or `seconds` pass; without IDLE, just wait."""
        if not self.can_idle:
            time.sleep(seconds)
            return False
        # The server may already have told of new mail at the end of an earlier command (the SEARCH that
        # just found the inbox empty, say). imaplib keeps such news aside and IDLE does not repeat it, so
        # look there first. (IMAPClient has no public way to read it.)
        told = self.client._imap.untagged_responses
        if [told.pop("EXISTS", None), told.pop("RECENT", None)] != [None, None]:
            return True
        self.client.idle()
        responses = []
        try:
            if not self._read_ahead():
                responses = self.client.idle_check(timeout=seconds)
        finally:
            # What the server said between the last check and DONE counts too (else a message announced
            # just then waits for the next poll).
            _text, last = self.client.idle_done()
            responses = [*responses, *last]
        return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)

    def _read_ahead(self) -> bool:
        """Whether imaplib already holds more of what the server said than it has handed on. Dovecot tells
        of mail that landed just before IDLE together with its "+ idling"; imaplib reads both into its
        buffer at once, and watching the socket (all idle_check does) would not see that news until the
        server next spoke. Looking must not block, so the socket is briefly non-blocking, as in idle_check."""
        sock = self.client.socket()
        sock.setblocking(False)
        try:
            return bool(self.client._imap.file.peek(1))
        except (BlockingIOError, ssl.SSLWantReadError):
            return False
        finally:
            sock.setblocking(True)
            self.client._set_read_timeout()

    def folder_message_ids(self, folder: str) -> list[tuple[str | None, bytes | None]]:
        """(Message-ID, raw bytes if it has none) of every message in `folder`, flags untouched."""
        self.client.select_folder(folder, readonly=True)
        try:
            found = []
            uids = self.client.search("ALL")
            for start in range(0, len(uids), BATCH):
                batch = uids[start : start + BATCH]
                headers = self.client.fetch(batch, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
                for uid in batch:
                    raw = headers.get(uid, {}).get(b"BODY[HEADER.FIELDS (MESSAGE-ID)]", b"")
                    message_id = parse_headers(raw).message_id
                    body = None if message_id else self.fetch([uid]).get(uid)
                    found.append((message_id, body))
            return found
        finally:
            self._status = self.client.select_folder(self.settings.folder)

    def close(self) -> None:
        self._connection.__exit__(None, None, None)


class MaildirSource:
    """The embedded default: a Maildir in instance/, with Processed and Quarantine as Maildir++ folders. A
    message's UID is derived from its unique file name; the UIDVALIDITY never changes."""

    UIDVALIDITY = 1

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = f"maildir:{self.path}"
        self.processed, self.quarantine = "Processed", "Quarantine"
        self.box = mailbox.Maildir(self.path, create=True)
        for folder in (self.processed, self.quarantine):
            if folder not in self.box.list_folders():
                self.box.add_folder(folder)
        self._keys: dict[int, str] = {}

    @staticmethod
    def uid_for(key: str) -> int:
        return int(hashlib.sha256(key.encode()).hexdigest()[:15], 16)

    def uidvalidity(self) -> int:
        return self.UIDVALIDITY

    def uids(self) -> list[int]:
        self.box = mailbox.Maildir(self.path, create=False)
        self._keys = {self.uid_for(key): key for key in self.box.keys()}  # noqa: SIM118  (a Mailbox iterates messages)
        return sorted(self._keys)

    def _relative(self, uid: int) -> str:
        """Where the message is, under the Maildir (the standard library has no public way to ask)."""
        return self.box._lookup(self._keys[uid])  # type: ignore[attr-defined]

    def sizes(self, uids: list[int]) -> dict[int, int]:
        return {uid: os.path.getsize(self.path / self._relative(uid)) for uid in uids}

    def fetch(self, uids: list[int]) -> dict[int, bytes]:
        return {uid: self.box.get_bytes(self._keys[uid]) for uid in uids}

    def headers(self, uids: list[int]) -> dict[int, bytes]:
        found = {}
        for uid in uids:
            with open(self.path / self._relative(uid), "rb") as handle:
                head = handle.read(256 * 1024)
            found[uid] = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        return found

    def move(self, uids: list[int], folder: str) -> None:
        """A rename into the folder's cur/: atomic, so a message is never in two places or none."""
        target = self.path / f".{folder}" / "cur"
        for uid in uids:
            relative = self._relative(uid)
            os.replace(self.path / relative, target / Path(relative).name)

    def wait_for_mail(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        before = set(self.uids())
        while time.monotonic() < deadline:
            if set(self.uids()) - before:
                return True
            time.sleep(0.5)
        return False

    def folder_message_ids(self, folder: str) -> list[tuple[str | None, bytes | None]]:
        sub = self.box.get_folder(folder)
        found = []
        for key in sub.keys():  # noqa: SIM118  (a Mailbox iterates messages)
            raw = sub.get_bytes(key)
            message_id = parse_headers(raw).message_id
            found.append((message_id, None if message_id else raw))
        return found

    def close(self) -> None:
        return None
