"""Outgoing email. `queue()` writes the message in the caller's transaction, so an email goes out only if
the change it reports was committed. `deliver_due()` sends what is due, one message per transaction,
retrying failures with back-off. Delivery is at-least-once: a crash between sending and recording the
send repeats that one email."""

from __future__ import annotations

import logging
import mailbox
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import OutboxMessage, OutboxStatus, SmsMessage
from webapp.services.mail_tokens import TokenSource, xoauth2

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


class Undeliverable(ValueError):
    """This message can never go this way (trying again would fail the same): it is marked failed at once,
    with the reason, and kept."""


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
    tokens: TokenSource | None = None  # Microsoft 365: XOAUTH2 with an app-only token instead of a password

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def send(self, message: EmailMessage) -> None:
        with self._signed_in() as client:
            client.send_message(message)

    def check(self) -> None:
        """Connect and sign in, sending nothing (`check-mail`)."""
        with self._signed_in():
            pass

    @contextmanager
    def _signed_in(self) -> Iterator[smtplib.SMTP]:
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
            if self.tokens is not None:
                self._oauth2_login(client, self.tokens)
            elif self.username:
                client.login(self.username, self.password or "")
            yield client

    def _oauth2_login(self, client: smtplib.SMTP, tokens: TokenSource) -> None:
        token, username = tokens.token(), self.username or ""
        client.ehlo_or_helo_if_needed()
        try:
            # The first call gives the initial response; a second (the server's error challenge) ends it.
            client.auth(
                "XOAUTH2",
                lambda challenge=None: "" if challenge else xoauth2(username, token),
                initial_response_ok=True,
            )
        except smtplib.SMTPAuthenticationError as exc:
            tokens.forget()
            raise ConnectionError(
                f"The SMTP server refused the OAuth2 token for {username} ({exc.smtp_code}). Check the app "
                "registration has SMTP.SendAsApp (admin consent given), its service principal has "
                "FullAccess to this mailbox, SMTP AUTH is allowed for it (Set-CASMailbox "
                "-SmtpClientAuthenticationDisabled $false), and IAG_SMTP_USERNAME is the mailbox's address. "
                "A new token is asked for on the next try."
            ) from exc


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


Row = TypeVar("Row", OutboxMessage, SmsMessage)


def _next_due(session: Session, model: type[Row]) -> Row | None:
    query = (
        select(model)
        .where(model.status == OutboxStatus.PENDING, model.next_attempt_at <= now())
        .order_by(model.next_attempt_at, model.id)
        .limit(1)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def deliver(
    sessions: Callable[[], Any],
    model: type[Row],
    send: Callable[[Row], None],
    max_attempts: int,
    limit: int = 100,
) -> tuple[int, int]:
    """Send up to `limit` due rows of `model` (emails, text messages), one transaction each: a failure is
    retried with back-off until `max_attempts`, never lost. Returns (sent, failed attempts)."""
    sent = failed = 0
    what = model.__tablename__
    for _ in range(limit):
        with sessions() as session, session.begin():
            row = _next_due(session, model)
            if row is None:
                break
            row.attempts += 1
            try:
                send(row)
            except Exception as exc:  # any failure to deliver is retried, never lost
                failed += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if isinstance(exc, Undeliverable) or row.attempts >= max_attempts:
                    row.status = OutboxStatus.FAILED
                    log.error("%s: giving up on %s after %s attempts", what, row.id, row.attempts)
                else:
                    row.next_attempt_at = now() + retry_delay(row.attempts)
                    log.warning("%s: %s failed (attempt %s): %s", what, row.id, row.attempts, exc)
                continue
            row.status, row.sent_at, row.last_error = OutboxStatus.SENT, now(), ""
            sent += 1
    return sent, failed


def deliver_due(
    sessions: Callable[[], Any],
    transport: Transport,
    sender: str,
    load_file: Callable[[dict], tuple[str, str, bytes]],
    max_attempts: int,
    limit: int = 100,
) -> tuple[int, int]:
    """Send up to `limit` due emails. Returns (sent, failed attempts)."""
    return deliver(
        sessions,
        OutboxMessage,
        lambda row: transport.send(build_email(row, sender, load_file)),
        max_attempts,
        limit,
    )


def transport_from_config(config: dict[str, Any]) -> Transport:
    """How mail leaves: SMTP (password or XOAUTH2), Microsoft Graph, or (with neither set) a local Maildir."""
    way = config.get("SEND_MAIL_WITH") or "smtp"
    if way == "graph":
        from webapp.services.graph_mail import GRAPH, GraphTransport  # it builds on this module

        if not config.get("GRAPH_MAILBOX"):
            raise ValueError("IAG_SEND_MAIL_WITH=graph needs IAG_GRAPH_MAILBOX, the address mail is sent as")
        return GraphTransport(
            mailbox=config["GRAPH_MAILBOX"],
            tokens=TokenSource.from_config(config),
            base_url=config.get("GRAPH_URL") or GRAPH,
        )
    if way != "smtp":
        raise ValueError(f"IAG_SEND_MAIL_WITH must be smtp or graph, not {way!r}")
    if config.get("SMTP_HOST"):
        return SMTPTransport(
            host=config["SMTP_HOST"],
            port=config["SMTP_PORT"],
            security=config["SMTP_TLS"],
            username=config.get("SMTP_USERNAME"),
            password=config.get("SMTP_PASSWORD"),
            tokens=TokenSource.from_config(config) if config.get("SMTP_AUTH") == "xoauth2" else None,
        )
    return MaildirTransport(Path(config["INSTANCE_PATH"]) / "sent-mail")
