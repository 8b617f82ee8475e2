"""Joining: from an offer to the link to sign. Staff send the Terms of Reference and a single-use link to
sign the confidentiality agreement (services/signing.py takes it from there), send it again, or stop it;
reminders go out until it is signed, expires or is stopped."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext, lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now, uk_time
from webapp.languages import lazy_group_text
from webapp.models import Application, Attachment, SigningRequest, StaffUser
from webapp.pdf import print_template
from webapp.services import documents, events, letters, links, signing, transitions
from webapp.services.actors import SYSTEM, staff
from webapp.workflow import Action, NotAllowed, State


def terms_pdf(session: Session, application: Application) -> bytes:
    """The Terms of Reference sent with the welcome email, in the applicant's language."""
    shown = documents.shown_to(
        session, application.known_group, application.known_applicant.name, application.language
    )
    with force_locale(shown.language):
        return print_template(
            "pdf/document.html",
            group=application.group,
            title=gettext(
                "%(title)s (version %(number)s)", title=shown.terms.title, number=shown.terms.version
            ),
            body=shown.terms_html,
            language=shown.language,
        )


def open_request(session: Session, application: Application) -> SigningRequest | None:
    return session.scalar(
        select(SigningRequest)
        .where(
            SigningRequest.application_id == application.id,
            SigningRequest.signed_at.is_(None),
            SigningRequest.cancelled_at.is_(None),
        )
        .order_by(SigningRequest.id.desc())
        .limit(1)
    )


def send_for_signature(session: Session, application: Application, user: StaffUser) -> SigningRequest:
    """The welcome email: the Terms of Reference as PDF, and a single-use link to sign the agreement."""
    if application.applicant is None or not application.applicant.email:
        raise NotAllowed("There is no email address for this applicant, so the link cannot be sent.")
    transitions.apply(session, application, Action.SEND_AGREEMENT, staff(user))
    return _new_request(session, application, user, "signing_invite")


def resend(session: Session, application: Application, user: StaffUser) -> SigningRequest:
    """A new link (the old one stops working), for a lost email or an expired link."""
    if application.state != State.AGREEMENT_SENT:
        raise NotAllowed("Only an agreement waiting to be signed can be sent again.")
    _cancel_open(session, application, user, "sent again")
    return _new_request(session, application, user, "signing_invite")


def cancel(session: Session, application: Application, user: StaffUser) -> None:
    if open_request(session, application) is None:
        raise NotAllowed("There is no link waiting to be used.")
    _cancel_open(session, application, user, "cancelled")


def _cancel_open(session: Session, application: Application, user: StaffUser, why: str) -> None:
    request = open_request(session, application)
    if request is not None:
        request.cancelled_at = now()
        events.record(
            session, staff(user), f"signing link {why}", application, detail={"signing_request": request.id}
        )


def _new_request(
    session: Session, application: Application, user: StaffUser, template: str
) -> SigningRequest:
    request = SigningRequest(
        application_id=application.id,
        token_hash=links.new_token()[1],  # replaced below, once the request has its id
        sent_at=now(),
        expires_at=now() + timedelta(days=current_app.config["SIGNING_DAYS"]),
    )
    session.add(request)
    session.flush()
    token = signing.link_token(request)
    request.token_hash = links.token_hash(token)
    pdf = terms_pdf(session, application)
    terms = letters.store_pdf(session, application, "terms-of-reference.pdf", pdf, "Terms of Reference sent")
    events.record(
        session,
        staff(user),
        "signing link sent",
        application,
        detail={"signing_request": request.id, "expires_at": request.expires_at.isoformat()},
    )
    _email(session, application, template, token, request, [terms])
    return request


def _email(
    session: Session,
    application: Application,
    template: str,
    token: str,
    request: SigningRequest,
    files: list[Attachment],
    automatic: bool = False,
) -> None:
    group = lazy_group_text(application.known_group, "name")
    subjects = {
        "signing_invite": lazy_gettext("Welcome to the %(group)s: please sign the agreement", group=group),
        "signing_reminder": lazy_gettext(
            "Reminder: please sign the agreement (%(reference)s)", reference=application.reference
        ),
    }
    letters.email_applicant(
        session,
        application,
        template,
        subjects[template],
        automatic=automatic,
        attachments=[letters.enclosed(f) for f in files],
        token=token,
        expires=uk_time(request.expires_at, language=application.language),
    )


# Reminders -----------------------------------------------------------------------------------------------


def send_reminders(session: Session) -> int:
    """Remind everyone whose link is still open, every REMINDER_DAYS since it was sent or last reminded.
    Run by a scheduler (e.g. daily); running it twice in a day sends nothing more."""
    every = timedelta(days=current_app.config["REMINDER_DAYS"])
    sent = 0
    waiting = session.scalars(
        select(SigningRequest).where(
            SigningRequest.signed_at.is_(None),
            SigningRequest.cancelled_at.is_(None),
            SigningRequest.expires_at > now(),
        )
    )
    for request in waiting:
        if now() < (request.last_reminded_at or request.sent_at) + every:
            continue
        application = session.get_one(Application, request.application_id)
        token = signing.link_token(request)  # the same link as in the first email: both keep working
        request.last_reminded_at = now()
        request.reminders_sent += 1
        _email(session, application, "signing_reminder", token, request, [], automatic=True)
        events.record(
            session,
            SYSTEM,
            "signing reminder sent",
            application,
            detail={"signing_request": request.id, "reminder": request.reminders_sent},
        )
        sent += 1
    return sent
