"""Staff writing to an applicant from the case: plain text (optionally starting from one of the force's
standard replies), optionally with files of the case, sent through the outbox in the applicant's thread
so that their answer comes back onto the case."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Application, Attachment, InboundEmail, OutboxMessage, StaffUser
from webapp.services import InputError, access, casefile, events, outbox, wording
from webapp.services.actors import staff

MAX_BODY = 10_000
MAX_REFERENCES = 20
PURPOSE = "staff reply"


@dataclass(frozen=True)
class Draft:
    """An email ready to send (or to preview): what the applicant will get."""

    to: str
    subject: str
    body: str
    headers: dict[str, str]
    files: list[Attachment]


def standard_reply(session: Session, application: Application, name: str) -> str:
    """One of the standard replies, in the force's words (or, for a Welsh applicant, the standard Welsh),
    filled in for this application."""
    if name not in {email.name for email in wording.STANDARD_REPLIES}:
        raise InputError("Choose a standard reply from the list", "standard")
    language = application.language
    with wording.rendering():
        return wording.render(session, name, language, application=application, group=application.group)


def draft(
    session: Session, user: StaffUser, application: Application, body: str, file_ids: list[int]
) -> Draft:
    """Check what staff wrote and make the email, without sending it."""
    if not access.serves(user, application.group_id):
        raise InputError("Only the group's own staff can write to this applicant")
    person = application.applicant
    if person is None or not person.email:
        raise InputError("We have no email address for this applicant: phone or write to them instead")
    text = (body or "").strip()
    if not text:
        raise InputError("Enter your message", "body")
    if len(text) > MAX_BODY:
        raise InputError(f"Your message must be {MAX_BODY:,} characters or fewer", "body")
    case_files = {item.id: item for item in casefile.attachments(session, application) if item.storage_name}
    unknown = [file_id for file_id in file_ids if file_id not in case_files]
    if unknown:
        raise InputError("Choose files from this application only", "files")
    deployment = current_app.extensions["deployment"]
    headers = {"Reply-To": deployment.mailbox} | _thread(session, application)
    with force_locale(application.language):
        subject = gettext("Your application %(reference)s", reference=application.reference)
    return Draft(
        to=person.email,
        subject=subject,
        body=text + "\n",
        headers=headers,
        files=[case_files[file_id] for file_id in file_ids],
    )


def send(
    session: Session, user: StaffUser, application: Application, body: str, file_ids: list[int]
) -> OutboxMessage:
    """Queue the email (sent by the outbox worker) and put it on the timeline."""
    ready = draft(session, user, application, body, file_ids)
    message = outbox.queue(
        session,
        to=ready.to,
        subject=ready.subject,
        body=ready.body,
        sender_domain=current_app.extensions["deployment"].mail_domain,
        application_id=application.id,
        headers=ready.headers,
        attachments=[
            {"filename": f.filename, "content_type": f.content_type, "storage_name": f.storage_name}
            for f in ready.files
        ],
        purpose=PURPOSE,
    )
    events.record(
        session,
        staff(user),
        "wrote to the applicant",
        application,
        detail={"message_id": message.message_id, "files": len(ready.files)},
    )
    return message


def _thread(session: Session, application: Application) -> dict[str, str]:
    """In-Reply-To the applicant's latest email on the case (else our latest to them), and References to
    what that one answered, so that mail programs show one conversation."""
    latest_in = session.execute(
        select(InboundEmail.message_id, InboundEmail.references)
        .where(InboundEmail.application_id == application.id, InboundEmail.message_id.is_not(None))
        .order_by(InboundEmail.received_at.desc(), InboundEmail.id.desc())
        .limit(1)
    ).first()
    if latest_in is not None and latest_in[0]:
        message_id, references = str(latest_in[0]), latest_in[1] or ""
        chain = [*references.split(), message_id][-MAX_REFERENCES:]
        return {"In-Reply-To": message_id, "References": " ".join(chain)}
    latest_out = session.scalar(
        select(OutboxMessage.message_id)
        .where(OutboxMessage.application_id == application.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    )
    return {"In-Reply-To": latest_out, "References": latest_out} if latest_out else {}


def sent(session: Session, application: Application) -> list[OutboxMessage]:
    """What staff wrote to the applicant from the case, oldest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.application_id == application.id, OutboxMessage.purpose == PURPOSE)
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )
