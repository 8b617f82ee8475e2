"""Recording mail that arrived: the email and its attachments, threading replies onto applications, and
acknowledging new applications without ever starting a mail loop."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.files import FileStore
from webapp.models import DMARC_FAILED, Application, Attachment, EmailKind, InboundEmail, OutboxMessage
from webapp.services import events, links, notify, wording
from webapp.services.actors import MAIL

ACK_WINDOW = timedelta(hours=24)


@dataclass
class IncomingFile:
    filename: str
    content_type: str
    data: bytes
    flags: list[str] = field(default_factory=list)
    inline: bool = False  # a picture shown in the body (a logo, a signature), not attached by the writer


def own_addresses(app: Flask) -> set[str]:
    """The addresses that are ours (the shared mailbox, and IAG_MAIL_FROM): never acknowledged, so we never
    answer ourselves."""
    own = {app.extensions["deployment"].mailbox.lower()}
    if app.config.get("MAIL_FROM"):
        own.add(app.config["MAIL_FROM"].rsplit("<", 1)[-1].rstrip(">").strip().lower())
    return own


def by_location(session: Session, mailbox: str, uidvalidity: int, uids: list[int]) -> dict[int, InboundEmail]:
    rows = session.scalars(
        select(InboundEmail).where(
            InboundEmail.mailbox == mailbox,
            InboundEmail.uidvalidity == uidvalidity,
            InboundEmail.uid.in_(uids),
        )
    )
    return {row.uid: row for row in rows if row.uid is not None}


class Earlier(NamedTuple):
    id: int
    application_id: int | None


def earlier_copies(
    session: Session, sha256s: set[str], message_ids: set[str], not_ids: AbstractSet[int] = frozenset()
) -> dict[str, Earlier]:
    """The first copy recorded (not itself a duplicate) of each of these SHA-256s and Message-IDs, keyed by
    that value: the same message ingested before, e.g. after UIDVALIDITY changed. One query per column, each
    on its own index (an OR of the two would scan)."""
    found: dict[str, Earlier] = {}
    for column, values in ((InboundEmail.sha256, sha256s), (InboundEmail.message_id, message_ids)):
        if not values:
            continue
        query = select(column, InboundEmail.id, InboundEmail.application_id).where(
            column.in_(values), InboundEmail.kind != EmailKind.DUPLICATE
        )
        if not_ids:
            query = query.where(InboundEmail.id.not_in(not_ids))
        for value, email_id, application_id in session.execute(query.order_by(InboundEmail.id)):
            if value is not None:
                found.setdefault(value, Earlier(email_id, application_id))
    return found


@dataclass
class Threads:
    """Which application a message is about: by a reference it quotes, or by the Message-ID of mail we
    sent (first) or received about that application."""

    by_reference: dict[str, int]
    by_sent: dict[str, int]
    by_received: dict[str, int]
    to_members: dict[str, int] = field(default_factory=dict)  # Message-ID of a copy -> message to members

    def application_for(self, references: list[str], message_ids: list[str]) -> int | None:
        for lookup, keys in (
            (self.by_reference, references),
            (self.by_sent, message_ids),
            (self.by_received, message_ids),
        ):
            found = next((lookup[key] for key in keys if key in lookup), None)
            if found is not None:
                return found
        return None

    def member_message_for(self, message_ids: list[str]) -> int | None:
        """The message to members a message answers (by the Message-ID of the copy it replies to)."""
        return next((self.to_members[key] for key in message_ids if key in self.to_members), None)


def threads(session: Session, references: set[str], message_ids: set[str]) -> Threads:
    def pairs(key, application_id, values) -> dict[str, int]:
        if not values:
            return {}
        rows = session.execute(
            select(key, application_id).where(key.in_(values), application_id.is_not(None))
        )
        return {key: application for key, application in rows}

    return Threads(
        pairs(Application.reference, Application.id, references),
        pairs(OutboxMessage.message_id, OutboxMessage.application_id, message_ids),
        pairs(InboundEmail.message_id, InboundEmail.application_id, message_ids),
        pairs(OutboxMessage.message_id, OutboxMessage.member_message_id, message_ids),
    )


def record(session: Session, emails: list[tuple[InboundEmail, list[IncomingFile]]], store: FileStore) -> None:
    """Write these emails, their attachments (stored under their SHA-256, never under the sender's name) and
    an event for each, together."""
    for email, _files in emails:
        email.received_at = email.received_at or now()
    session.add_all(email for email, _files in emails)
    session.flush()
    for email, files in emails:
        for item in files:
            digest = store.put(item.data) if item.data else ""
            session.add(
                Attachment(
                    email_id=email.id,
                    application_id=email.application_id,
                    filename=item.filename,
                    storage_name=digest,
                    content_type=item.content_type,
                    size=len(item.data),
                    sha256=digest,
                    flags="; ".join(item.flags),
                    created_at=now(),
                )
            )
        events.record(
            session,
            MAIL,
            f"email {email.kind}",
            events.Subject("email", email.id),
            detail={"application_id": email.application_id, "reason": email.reason[:200]},
        )


@dataclass(frozen=True)
class Answer:
    """An acknowledgement due: for the application an email made (its reference, its page, what happens
    next), or, with no application, for an enquiry (we have your email and will reply within ...)."""

    email: InboundEmail
    application: Application | None
    to: str
    language: str = "en"  # the language the email was written in (ours: English or Welsh)
    language_name: str = ""  # the language's English name, when it is neither (the answer says we will reply)


PURPOSES = ("acknowledgement", "enquiry acknowledgement")


def acknowledge(session: Session, answers: list[Answer], own_addresses: set[str]) -> int:
    """One acknowledgement for each, in the thread, marked auto-replied; at most one of each kind per
    sender per 24 hours, never to our own address, and never when the receiving server found the sender
    forged (DMARC failed). (Automatic messages never reach here.) Returns how many were sent."""
    senders = {answer.to for answer in answers}
    answered: set[tuple[str, str | None]] = set()
    if senders:
        answered = {
            (to, purpose)
            for to, purpose in session.execute(
                select(OutboxMessage.to_address, OutboxMessage.purpose).where(
                    OutboxMessage.to_address.in_(senders),
                    OutboxMessage.purpose.in_(PURPOSES),
                    OutboxMessage.created_at > now() - ACK_WINDOW,
                )
            )
        }
    due = []
    for answer in answers:
        purpose = PURPOSES[0] if answer.application is not None else PURPOSES[1]
        forged = DMARC_FAILED in answer.email.flags
        ours = answer.to.lower() in own_addresses
        if not ours and not forged and (answer.to, purpose) not in answered:
            answered.add((answer.to, purpose))
            due.append(answer)
    with wording.rendering():
        for answer in due:
            _acknowledgement(session, answer)
    return len(due)


def _acknowledgement(session: Session, answer: Answer) -> None:
    email, application = answer.email, answer.application
    references = " ".join(filter(None, [email.references, email.message_id]))
    headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    if email.message_id:
        headers |= {"In-Reply-To": email.message_id, "References": references}
    # A subject of our own, never the sender's: a forged sender must not make the force's mailbox carry
    # their words to someone else.
    language = application.language if application else answer.language
    with force_locale(language):
        subject = (
            gettext("We have received your email")
            if application is None
            else gettext("We have received your application: %(reference)s", reference=application.reference)
        )
    if application is None:
        notify.email(
            session,
            "enquiry_acknowledgement",
            to=answer.to,
            subject=subject,
            headers=headers,
            purpose=PURPOSES[1],
            language=language,
            language_name=answer.language_name,
        )
        return
    notify.email(
        session,
        "acknowledgement",
        to=answer.to,
        application_id=application.id,
        subject=subject,
        language=language,
        application=application,
        group=application.group,
        token=links.issue_status_link(session, application),
        headers=headers,
        purpose=PURPOSES[0],
        language_name=answer.language_name,
    )
