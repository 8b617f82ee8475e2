"""What a delivery report about our own email does: the email we sent is marked bounced with the server's
reason, the case shows that the person's address did not accept it, and their staff are told, so someone
asks for another way to reach them. A delay notice changes nothing (the email is still being tried)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Application, InboundEmail, OutboxMessage, OutboxStatus
from webapp.services import events, news
from webapp.services.actors import MAIL


def sent_with(session: Session, message_ids: set[str]) -> dict[str, tuple[int, int | None]]:
    """Our sent emails by Message-ID, for the reports that name them: (outbox id, application id)."""
    if not message_ids:
        return {}
    rows = session.execute(
        select(OutboxMessage.message_id, OutboxMessage.id, OutboxMessage.application_id).where(
            OutboxMessage.message_id.in_(message_ids)
        )
    )
    return {message_id: (outbox_id, application_id) for message_id, outbox_id, application_id in rows}


def record(session: Session, outbox_id: int, email: InboundEmail, reason: str) -> None:
    """Our email `outbox_id` was not delivered, as the report `email` says. Once only: a second report of
    the same email is kept, and changes nothing."""
    sent = session.get_one(OutboxMessage, outbox_id)
    if sent.status == OutboxStatus.BOUNCED:
        return
    sent.status = OutboxStatus.BOUNCED
    sent.last_error = f"not delivered: {reason}"[:2000]
    application = session.get(Application, sent.application_id) if sent.application_id else None
    subject = (
        events.Subject("application", application.id)
        if application is not None
        else events.Subject("email", email.id)
    )
    events.record(
        session,
        MAIL,
        "email not delivered",
        subject,
        detail={"outbox_id": sent.id, "to": sent.to_address, "reason": reason[:300], "email_id": email.id},
    )
    if sent.application_id is not None or sent.member_id is not None:
        # Only mail to an applicant or member is news: a staff notification that bounced must not make
        # more staff notifications (a full mailbox would loop), nor does a reply to a forged sender.
        news.not_delivered(session, application, email.id, sent.to_address)


def undelivered(session: Session, application: Application) -> list[OutboxMessage]:
    """The emails to this applicant that came back undelivered, newest first: the case shows them."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.application_id == application.id,
                OutboxMessage.status == OutboxStatus.BOUNCED,
            )
            .order_by(OutboxMessage.created_at.desc())
        )
    )
