"""Outgoing email. `queue()` writes the message in the caller's transaction, so an email goes out only if
the change it reports was committed. `deliver_due()` sends what is due, one message per transaction,
retrying failures with back-off. Delivery is at-least-once: a crash between sending and recording the
send repeats that one email."""

from __future__ import annotations

import logging
import mailbox
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


def queue(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    sender_domain: str,
    application_id: int | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    purpose: str | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        message_id=make_msgid(domain=sender_domain),
        to_address=to,
        subject=subject,
        body_text=body,
        headers=headers or {},
        attachments=attachments or [],
        application_id=application_id,
        purpose=purpose,
        next_attempt_at=now(),
        created_at=now(),
    )
    session.add(message)
    return message


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass
class SMTPTransport:
    host: str
    port: int
    security: str = "starttls"  # starttls | ssl | none
    username: str | None = None
    password: str | None = None
    timeout: float = 30

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.security == "starttls":
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


@dataclass
class MaildirTransport:
    """The embedded default with no SMTP server: mail is kept in a Maildir a developer can read."""

    path: Path

    def send(self, message: EmailMessage) -> None:
        mailbox.Maildir(self.path, create=True).add(message)


def build_email(
    row: OutboxMessage, sender: str, load_file: Callable[[dict], tuple[str, str, bytes]]
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at)
    for name, value in row.headers.items():
        message[name] = value
    message.set_content(row.body_text)
    for spec in row.attachments:
        filename, content_type, data = load_file(spec)
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    return message


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, at most an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def _next_due(session: Session) -> OutboxMessage | None:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now())
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def deliver_due(
    sessions: Callable[[], Any],
    transport: Transport,
    sender: str,
    load_file: Callable[[dict], tuple[str, str, bytes]],
    max_attempts: int,
    limit: int = 100,
) -> tuple[int, int]:
    """Send up to `limit` due messages. Returns (sent, failed attempts)."""
    sent = failed = 0
    for _ in range(limit):
        with sessions() as session, session.begin():
            row = _next_due(session)
            if row is None:
                break
            row.attempts += 1
            try:
                transport.send(build_email(row, sender, load_file))
            except Exception as exc:  # any failure to deliver is retried, never lost
                failed += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if row.attempts >= max_attempts:
                    row.status = OutboxStatus.FAILED
                    log.error("outbox: giving up on message %s after %s attempts", row.id, row.attempts)
                else:
                    row.next_attempt_at = now() + retry_delay(row.attempts)
                    log.warning("outbox: message %s failed (attempt %s): %s", row.id, row.attempts, exc)
                continue
            row.status = OutboxStatus.SENT
            row.sent_at = now()
            row.last_error = ""
            sent += 1
    return sent, failed


def transport_from_config(config: dict[str, Any]) -> Transport:
    if config.get("SMTP_HOST"):
        return SMTPTransport(
            host=config["SMTP_HOST"],
            port=config["SMTP_PORT"],
            security=config["SMTP_TLS"],
            username=config.get("SMTP_USERNAME"),
            password=config.get("SMTP_PASSWORD"),
        )
    return MaildirTransport(Path(config["INSTANCE_PATH"]) / "sent-mail")
