"""Emails to people, in the words of services/wording.py, sent through the outbox."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import InboundEmail, OutboxMessage
from webapp.services import outbox, wording


def thread_headers(session: Session, application_id: int) -> dict[str, str]:
    """In-Reply-To and References to the first message about this application (the applicant's email, or
    our first email to them), so that a mail program keeps one conversation per application."""
    first_in = session.scalar(
        select(InboundEmail.message_id)
        .where(InboundEmail.application_id == application_id, InboundEmail.message_id.is_not(None))
        .order_by(InboundEmail.received_at, InboundEmail.id)
        .limit(1)
    )
    first_out = session.scalar(
        select(OutboxMessage.message_id)
        .where(OutboxMessage.application_id == application_id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(1)
    )
    root = first_in or first_out
    return {"In-Reply-To": root, "References": root} if root else {}


def email(
    session: Session,
    template: str,
    *,
    to: str,
    subject: str,
    application_id: int | None = None,
    automatic: bool = True,
    headers: dict[str, str] | None = None,
    purpose: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    language: str = "en",
    **context: Any,
) -> None:
    """Queue an email, in the thread of its application, in `language`. `automatic` marks it
    Auto-Submitted (RFC 3834), so auto-responders do not answer."""
    deployment = current_app.extensions["deployment"]
    body = wording.render(session, template, language, **context)
    all_headers = {"Auto-Submitted": "auto-generated"} if automatic else {}
    if application_id is not None and "In-Reply-To" not in (headers or {}):
        all_headers |= thread_headers(session, application_id)
    all_headers |= headers or {}
    outbox.queue(
        session,
        to=to,
        subject=subject,
        body=body,
        sender_domain=deployment.mail_domain,
        application_id=application_id,
        headers=all_headers,
        purpose=purpose,
        attachments=attachments,
    )
