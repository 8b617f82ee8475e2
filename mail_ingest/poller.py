"""The loop: for each message, store the raw bytes first, then write everything it means in one
transaction, and only after that commit move it out of the inbox. A crash, a kill, a database outage or a
dropped connection at any point leads to the same end state when the poller runs again."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from mail_ingest.ingest import Incoming, Settings, independent, read, record, too_large
from mail_ingest.mailbox import BATCH, ImapSource, MailboxSettings, MaildirSource, Source
from mail_ingest.parse import Limits
from webapp.clock import now
from webapp.files import FileStore, file_store, raw_mail_store
from webapp.models import EmailKind, InboundEmail, MailboxState
from webapp.services import events, inbound, leases
from webapp.services.actors import MAIL
from webapp.services.attachments import Contents

log = logging.getLogger("iag-mail")
# Messages recorded per database transaction, written together. Small enough that the event log's lock,
# which web requests also take, is held for well under a second.
COMMIT_EVERY = 50


@dataclass
class Report:
    ingested: int = 0
    quarantined: int = 0
    duplicates: int = 0
    moved: int = 0
    uidvalidity_changed: bool = False
    kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def __str__(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.kinds.items())) or "nothing new"
        return f"{self.ingested} ingested ({kinds}); {self.moved} moved out of the inbox"


def open_source(app: Flask) -> Source:
    if app.config.get("IMAP_HOST"):
        return ImapSource(MailboxSettings.from_config(app.config))
    return MaildirSource(app.config["MAILDIR_PATH"])


class Poller:
    def __init__(self, app: Flask, source_factory: Callable[[], Source] | None = None) -> None:
        self.app = app
        self.sessions = app.extensions["iag_sessions"]
        self.source_factory = source_factory or (lambda: open_source(app))
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_seconds = app.config["MAIL_LEASE_SECONDS"]
        self.raw_store = raw_mail_store(app)
        self.own_addresses = inbound.own_addresses(app)
        self.limits = Limits(
            max_attachments=app.config["MAIL_MAX_ATTACHMENTS"],
            max_attachment_bytes=app.config["MAIL_MAX_ATTACHMENT_MB"] * 1024 * 1024,
        )
        self.max_bytes = app.config["MAIL_MAX_MESSAGE_MB"] * 1024 * 1024
        self._held: set[str] = set()

    # --- the lock ---------------------------------------------------------------------------------------
    def lease_name(self, source: Source) -> str:
        return f"mail-poller:{source.name}"[:200]

    def take_lease(self, source: Source) -> str | None:
        holder = leases.acquire(self.sessions, self.lease_name(source), self.holder, self.lease_seconds)
        if holder is None:
            self._held.add(self.lease_name(source))
        return holder

    # --- one pass ---------------------------------------------------------------------------------------
    def poll_once(self, source: Source) -> Report:
        """Process everything in the inbox. The caller holds the lease."""
        with self.app.app_context():
            return self._poll_once(source)

    def _poll_once(self, source: Source) -> Report:
        report = Report()
        uidvalidity = source.uidvalidity()
        report.uidvalidity_changed = self._check_uidvalidity(source, uidvalidity)
        settings = self.settings_for(source)
        uids = source.uids()
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            if (
                start
                and leases.acquire(self.sessions, self.lease_name(source), self.holder, self.lease_seconds)
                is not None
            ):
                log.warning("lost the mail lock to another poller; stopping this pass")
                break
            self._batch(source, settings, uidvalidity, batch, report)
        return report

    def settings_for(self, source: Source) -> Settings:
        return Settings(
            mailbox=source.name,
            deployment=self.app.extensions["deployment"],
            files=file_store(self.app),
            own_addresses=self.own_addresses,
            processed_folder=source.processed,
            quarantine_folder=source.quarantine,
            limits=self.limits,
        )

    def _batch(
        self, source: Source, settings: Settings, uidvalidity: int, batch: list[int], report: Report
    ) -> None:
        with self.sessions() as session:
            known = {
                uid: row.folder
                for uid, row in inbound.by_location(session, source.name, uidvalidity, batch).items()
            }
        sizes = source.sizes([uid for uid in batch if uid not in known])
        bodies = source.fetch([uid for uid, size in sizes.items() if size <= self.max_bytes])
        oversized = [uid for uid, size in sizes.items() if size > self.max_bytes]
        headers = source.headers(oversized) if oversized else {}
        destinations: dict[str, list[int]] = defaultdict(list)
        for uid in batch:
            if uid in known:  # recorded before (a crash came between commit and move): just move it
                destinations[known[uid] or source.processed].append(uid)
        # First of all, each message's bytes go safely to disk; meanwhile each is read (no database yet).
        # Messages gone since we listed them (another client moved them) are left alone.
        with ThreadPoolExecutor(max_workers=1) as pool:
            stored = pool.submit(self.raw_store.put_many, bodies)
            items = []
            renewed = time.monotonic()
            for uid in batch:
                if uid in known or (uid not in bodies and uid not in oversized):
                    continue
                items.append(
                    too_large(uid, uidvalidity, sizes[uid], headers.get(uid, b""), self.max_bytes)
                    if uid in oversized
                    else read(
                        bodies[uid], FileStore.name(bodies[uid]), settings, uid, uidvalidity=uidvalidity
                    )
                )
                # Reading a photo with OCR can take tens of seconds: keep the lock while a batch is read.
                if time.monotonic() - renewed > self.lease_seconds / 3:
                    leases.renew(self.sessions, self.lease_name(source), self.holder, self.lease_seconds)
                    renewed = time.monotonic()
            stored.result()
        for group in independent(items, COMMIT_EVERY):
            for email in self._record(group, settings):  # committed: count them, then move them
                report.ingested += email.sha256 is not None  # (not the oversized, never fetched)
                report.kinds[str(email.kind)] += 1
                report.quarantined += email.kind == EmailKind.QUARANTINED
                report.duplicates += email.kind == EmailKind.DUPLICATE
                if email.uid is not None:  # every message fetched from a mailbox has its UID
                    destinations[email.folder].append(email.uid)
        # Still ours? A batch that outlived the lock must not move what the next holder may be moving too
        # (it moves what was recorded, as after a crash).
        lease = self.lease_name(source)
        if destinations and not leases.renew(self.sessions, lease, self.holder, self.lease_seconds):
            log.warning("lost the mail lock before moving; the next poller moves what was recorded")
            return
        for folder, uids in destinations.items():
            source.move(uids, folder)
            report.moved += len(uids)
            with self.sessions() as session, session.begin():
                session.execute(
                    update(InboundEmail)
                    .where(
                        InboundEmail.mailbox == source.name,
                        InboundEmail.uidvalidity == uidvalidity,
                        InboundEmail.uid.in_(uids),
                    )
                    .values(moved_at=now(), folder=folder)
                )

    def _record(self, group: list[Incoming], settings: Settings, alone: bool = False) -> list[InboundEmail]:
        """Record a group of messages in one transaction. If that fails, each on its own: a message that
        breaks our code is quarantined with the error, one another poller recorded is left to it, and
        neither affects the rest. A database that is unwell stops the pass (tried again next time)."""
        try:
            with self.sessions() as session, session.begin():
                return record(session, group, settings)
        except IntegrityError:
            if alone:
                log.warning("message %s was recorded by another poller; leaving it to that one", group[0].uid)
                return []
        except SQLAlchemyError:
            raise
        except Exception as exc:
            if alone:
                log.exception("message uid %s could not be ingested; quarantining it", group[0].uid)
                reason = f"error while ingesting: {type(exc).__name__}: {exc}"
                failed = replace(group[0], failure=reason, contents=Contents())
                with self.sessions() as session, session.begin():
                    return record(session, [failed], settings)
        return [email for item in group for email in self._record([item], settings, alone=True)]

    def _check_uidvalidity(self, source: Source, uidvalidity: int) -> bool:
        with self.sessions() as session, session.begin():
            state = session.get(MailboxState, source.name)
            if state is None:
                session.add(MailboxState(mailbox=source.name, uidvalidity=uidvalidity, updated_at=now()))
                return False
            if state.uidvalidity == uidvalidity:
                state.updated_at = now()  # the folder was read: the last successful poll (/metrics)
                return False
            log.warning(
                "UIDVALIDITY of %s changed from %s to %s: messages will be matched by Message-ID and "
                "SHA-256 so that none is ingested twice",
                source.name,
                state.uidvalidity,
                uidvalidity,
            )
            events.record(
                session,
                MAIL,
                "mailbox uidvalidity changed",
                events.Subject("mailbox"),
                detail={"mailbox": source.name, "from": state.uidvalidity, "to": uidvalidity},
            )
            state.uidvalidity, state.updated_at = uidvalidity, now()
            return True

    # --- the long-running loop --------------------------------------------------------------------------
    def run(self, stop: threading.Event, idle_seconds: float | None = None) -> None:
        """Poll, then wait for new mail with IDLE (or poll every IAG_MAIL_POLL_SECONDS), until `stop`."""
        poll_seconds = self.app.config["MAIL_POLL_SECONDS"]
        # Short waits: a stop request is noticed within seconds, and the lock is renewed well in time.
        chunk = idle_seconds or max(1.0, min(5.0, poll_seconds, self.lease_seconds / 3))
        backoff = 1.0
        while not stop.is_set():
            source = None
            try:
                source = self.source_factory()
                holder = self.take_lease(source)
                if holder is not None:
                    log.info(
                        "another poller (%s) is reading %s; waiting for it to finish", holder, source.name
                    )
                    stop.wait(min(5.0, self.lease_seconds / 2))
                    continue
                while not stop.is_set():
                    report = self.poll_once(source)
                    if report.ingested or report.moved:
                        log.info("%s", report)
                        # Mail that arrived while these were read was announced during that work, not
                        # during IDLE: look again before waiting.
                        continue
                    waited = 0.0
                    while waited < poll_seconds and not stop.is_set():
                        new_mail = source.wait_for_mail(chunk)
                        waited += chunk
                        if not leases.renew(
                            self.sessions, self.lease_name(source), self.holder, self.lease_seconds
                        ):
                            raise ConnectionError("the mail lock was taken over")
                        if new_mail:
                            break
                backoff = 1.0
            except Exception as exc:  # a dropped connection or a database outage: wait, then start again
                log.warning("mail poller: %s: %s; retrying in %.0f s", type(exc).__name__, exc, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 60.0)
            finally:
                if source is not None:
                    try:
                        source.close()
                    except Exception:
                        log.debug("closing the mailbox failed", exc_info=True)
        self.release()

    def release(self) -> None:
        for name in self._held:
            try:
                leases.release(self.sessions, name, self.holder)
            except SQLAlchemyError:
                log.debug("could not release the mail lock; it will expire", exc_info=True)
