"""Recording mail that arrived: the email and its attachments, threading replies onto applications, and
acknowledging new applications without ever starting a mail loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.files import FileStore
from webapp.models import Application, Attachment, EmailKind, InboundEmail, OutboxMessage
from webapp.services import events, notify

ACK_WINDOW = timedelta(hours=24)


@dataclass
class IncomingFile:
    filename: str
    content_type: str
    data: bytes
    flags: list[str] = field(default_factory=list)


def by_location(session: Session, mailbox: str, uidvalidity: int, uids: list[int]) -> dict[int, InboundEmail]:
    rows = session.scalars(
        select(InboundEmail).where(
            InboundEmail.mailbox == mailbox,
            InboundEmail.uidvalidity == uidvalidity,
            InboundEmail.uid.in_(uids),
        )
    )
    return {row.uid: row for row in rows}


def earlier_copy(
    session: Session, sha256: str, message_id: str | None, not_id: int | None = None
) -> InboundEmail | None:
    """The same message ingested before (same bytes, or same Message-ID), e.g. after UIDVALIDITY changed.
    Two lookups, each on its own index (an OR of the two would scan)."""
    for column, value in ((InboundEmail.sha256, sha256), (InboundEmail.message_id, message_id)):
        if not value:
            continue
        query = select(InboundEmail).where(column == value, InboundEmail.kind != EmailKind.DUPLICATE)
        if not_id is not None:
            query = query.where(InboundEmail.id != not_id)
        found = session.scalar(query.order_by(InboundEmail.id).limit(1))
        if found is not None:
            return found
    return None


def application_by_reference(session: Session, references: list[str]) -> Application | None:
    if not references:
        return None
    return session.scalar(select(Application).where(Application.reference.in_(references)).limit(1))


def application_by_thread(session: Session, message_ids: list[str]) -> Application | None:
    """The application a reply belongs to, from In-Reply-To/References matching mail we sent or received."""
    if not message_ids:
        return None
    sent = session.scalar(
        select(OutboxMessage.application_id)
        .where(OutboxMessage.message_id.in_(message_ids), OutboxMessage.application_id.is_not(None))
        .limit(1)
    )
    if sent is None:
        sent = session.scalar(
            select(InboundEmail.application_id)
            .where(InboundEmail.message_id.in_(message_ids), InboundEmail.application_id.is_not(None))
            .limit(1)
        )
    return session.get(Application, sent) if sent else None


def record(
    session: Session, email: InboundEmail, files: list[IncomingFile], store: FileStore
) -> InboundEmail:
    """Write the email and its attachments (stored under their SHA-256, never under the sender's name)."""
    email.received_at = email.received_at or now()
    session.add(email)
    session.flush()
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
        actor="mail",
        action=f"email {email.kind}",
        subject_type="email",
        subject_id=email.id,
        detail={"application_id": email.application_id, "reason": email.reason[:200]},
    )
    return email


def acknowledge(
    session: Session, application: Application, email: InboundEmail, own_addresses: set[str]
) -> bool:
    """One acknowledgement with the reference, in the thread, marked auto-replied; at most one per sender per
    24 hours, and never to our own address. (Automatic messages never reach here.)"""
    sender = email.from_address
    if not sender or sender.lower() in own_addresses:
        return False
    recent = session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.to_address == sender,
            OutboxMessage.purpose == "acknowledgement",
            OutboxMessage.created_at > now() - ACK_WINDOW,
        )
        .limit(1)
    )
    if recent is not None:
        return False
    references = " ".join(filter(None, [email.references, email.message_id]))
    headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    if email.message_id:
        headers |= {"In-Reply-To": email.message_id, "References": references}
    subject = email.subject if email.subject.lower().startswith("re:") else f"Re: {email.subject}".strip()
    notify.email(
        session,
        "acknowledgement",
        to=sender,
        application_id=application.id,
        subject=f"{subject or 'Your application'} [{application.reference}]",
        application=application,
        headers=headers,
        purpose="acknowledgement",
    )
    return True
