"""Emails to people, rendered from templates/email/ and sent through the outbox."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from flask import current_app, has_request_context, render_template
from sqlalchemy.orm import Session

from webapp.services import outbox


def link(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


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
    **context: Any,
) -> None:
    """Queue an email. `automatic` marks it Auto-Submitted (RFC 3834), so auto-responders do not answer."""
    deployment = current_app.extensions["deployment"]
    # Templates build paths with url_for, which needs a request; the mail poller and commands have none.
    # Links are always made absolute from IAG_BASE_URL, never from a request's Host header.
    with nullcontext() if has_request_context() else current_app.test_request_context("/"):
        body = render_template(f"email/{template}.txt", deployment=deployment, link=link, **context)
    all_headers = {"Auto-Submitted": "auto-generated"} if automatic else {}
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
    )
