"""`iag-mail check` and `flask --app webapp check-mail`: sign in to the mailbox, list its folders, sign in to
the SMTP server (and send a test message if asked), and say in plain words what is wrong, instead of the
"AUTHENTICATE failed" a mail library gives."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from imapclient.exceptions import LoginError

from mail_ingest.mailbox import MailboxSettings, connect
from webapp import clock
from webapp.outgoing import sender
from webapp.services import outbox
from webapp.services.graph_mail import GraphTransport
from webapp.services.mail_tokens import Registration

RENEW_WITHIN = timedelta(days=30)


def _explain(exc: BaseException, host: str, port: int, what: str) -> str:
    """Plain words for what went wrong talking to `host` (the mailbox's or the SMTP server's)."""
    if isinstance(exc, socket.gaierror):
        return f"There is no server called {host}: check the {what} host setting."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"{host}'s TLS certificate was not accepted ({exc.verify_message}): check the host name."
    if isinstance(exc, ssl.SSLError):
        return f"TLS with {host}:{port} failed ({exc}): check the port and the TLS setting."
    if isinstance(exc, ConnectionRefusedError | TimeoutError | socket.timeout):
        return f"Nothing answered at {host}:{port}: check the host, the port and the firewall."
    if isinstance(exc, LoginError | smtplib.SMTPAuthenticationError):
        return (
            f"{host} refused the user name or password ({exc}). Microsoft 365 no longer takes passwords: "
            "use OAuth2 (IAG_IMAP_AUTH=xoauth2 / IAG_SMTP_AUTH=xoauth2, README 'Microsoft 365')."
        )
    if isinstance(exc, ConnectionError | ValueError):
        return str(exc)  # already in plain words (settings, tokens, refused tokens)
    return f"{type(exc).__name__}: {exc}"


def _registration(registration: Registration) -> str:
    """Which app registration signed in, and when its certificate runs out (a secret's end only Entra
    knows): the day it does, mail stops being read."""
    line = f"  app registration {registration.client_id}, with its {registration.proof}"
    expires = registration.certificate_expires()
    if expires is None:
        return f"{line}: keep the secret's expiry date (Entra ID, Certificates & secrets) in the calendar."
    left = expires - clock.now()
    if left.total_seconds() <= 0:
        return f"{line}, which EXPIRED on {expires:%-d %B %Y}: upload a new one to the app registration."
    days = f"{left.days} day{'' if left.days == 1 else 's'}"
    line = f"{line}, which expires on {expires:%-d %B %Y} (in {days})"
    if left < RENEW_WITHIN:
        return (
            f"{line}: RENEW IT NOW. Upload the new certificate to the app registration, then point "
            "IAG_IMAP_OAUTH_CLIENT_CERTIFICATE at it."
        )
    return line + "."


def check_mailbox(config: dict, say: Callable[[str], None]) -> bool:
    if not config.get("IMAP_HOST"):
        say(f"Mailbox: none set (IAG_IMAP_HOST); the local Maildir {config['MAILDIR_PATH']} is read instead.")
        return True
    try:
        settings = MailboxSettings.from_config(config)
        with connect(settings) as client:
            where = f"{settings.host}:{settings.port}"
            say(f"Mailbox: signed in to {where} as {settings.username} ({settings.auth}).")
            if settings.registration is not None:
                say(_registration(settings.registration))
            folders = {name for _flags, _sep, name in client.list_folders()}
            for folder in (settings.folder, settings.processed, settings.quarantine):
                state = "there" if folder in folders else "missing (the poller creates it on its first run)"
                say(f"  folder {folder}: {state}")
            if settings.folder in folders:
                count = client.select_folder(settings.folder, readonly=True)[b"EXISTS"]
                say(f"  {count} messages waiting in {settings.folder}")
    except Exception as exc:
        host, port = config.get("IMAP_HOST", ""), config.get("IMAP_PORT", 993)
        say(f"Mailbox: NOT WORKING. {_explain(exc, host, port, 'IAG_IMAP_HOST')}")
        return False
    return True


def check_sending(app: Flask, send_to: str | None, say: Callable[[str], None]) -> bool:
    config = app.config
    try:
        transport = outbox.transport_from_config(config)
    except ValueError as exc:
        say(f"Sending: NOT WORKING. {exc}")
        return False
    if isinstance(transport, outbox.MaildirTransport):
        say("Sending: no SMTP server set (IAG_SMTP_HOST); mail is written to instance/sent-mail/.")
        return True
    assert isinstance(transport, outbox.SMTPTransport | GraphTransport)
    graph = isinstance(transport, GraphTransport)
    where = transport.where
    try:
        if send_to:
            message = EmailMessage()
            message["From"], message["To"] = sender(app), send_to
            message["Subject"] = "IAG Membership: test message"
            message.set_content("This message checks that IAG Membership can send mail. Nothing else to do.")
            transport.send(message)
            say(f"Sending: a test message went to {send_to} through {where}.")
        elif graph:
            transport.check()
            say(
                f"Sending: a token for {where} was issued. Whether it may send as that mailbox shows only "
                "when a message is sent: add --send-to."
            )
        else:
            transport.check()
            say(f"Sending: signed in to {where} ({config['SMTP_AUTH']}).")
    except Exception as exc:
        setting = "IAG_GRAPH_URL" if graph else "IAG_SMTP_HOST"
        say(f"Sending: NOT WORKING. {_explain(exc, transport.host, transport.port, setting)}")
        return False
    return True


def check(app: Flask, send_to: str | None, say: Callable[[str], None]) -> bool:
    """Both checks (each runs even if the other fails); True when both work."""
    reading = check_mailbox(app.config, say)
    sending = check_sending(app, send_to, say)
    return reading and sending


@click.command("check-mail")
@click.option("--send-to", help="Also send a test message to this address.")
@with_appcontext
def check_mail(send_to: str | None) -> None:
    """Sign in to the mailbox and the SMTP server, list the folders, and say in plain words what is wrong."""
    if not check(current_app._get_current_object(), send_to, click.echo):  # type: ignore[attr-defined]
        raise SystemExit(1)
