"""Joining: from an offer to membership. Staff send the Terms of Reference and a link to sign the
confidentiality agreement; the person signs on the web; the service records the evidence, renders the
signed agreement as a PDF, seals it, and makes them a member.

Evidence of a signature: who (the name typed; the email address verified by opening the emailed link),
what (SHA-256 of the exact text shown and of the final PDF; the document versions), when (UTC: sent, first
opened, signed) and how (IP address, browser), in the signing request and in the hash-chained event log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app, render_template
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.clock import now, uk_time
from webapp.files import file_store
from webapp.models import (
    Application,
    Attachment,
    MemberRole,
    Membership,
    SigningRequest,
    StaffUser,
)
from webapp.pdf.seal import SealSettings, seal
from webapp.services import InputError, documents, events, links, meetings, notify, transitions
from webapp.services.actors import APPLICANT, SYSTEM, staff
from webapp.services.drafts import STATUS_LINK_DAYS
from webapp.workflow import Action, NotAllowed, State

MAX_NAME = 200


def seal_settings(app: Flask) -> SealSettings:
    folder = Path(app.instance_path) / "seal"
    return SealSettings(
        key_path=app.config["SEAL_KEY"] or str(folder / "key.pem"),
        cert_path=app.config["SEAL_CERT"] or str(folder / "cert.pem"),
        password=app.config["SEAL_KEY_PASSWORD"],
    )


def _store_pdf(
    session: Session, application: Application, filename: str, pdf: bytes, note: str
) -> Attachment:
    digest = file_store(current_app).put(pdf)
    attachment = Attachment(
        application_id=application.id,
        filename=filename,
        storage_name=digest,
        content_type="application/pdf",
        size=len(pdf),
        sha256=digest,
        flags=note,
        created_at=now(),
    )
    session.add(attachment)
    session.flush()
    return attachment


def terms_pdf(session: Session, application: Application) -> bytes:
    from webapp.pdf import render_pdf

    shown = documents.shown_to(session, application.group, application.applicant.name)
    return render_pdf(
        render_template(
            "pdf/document.html",
            deployment=current_app.extensions["deployment"],
            group=application.group,
            title=f"{shown.terms.title} (version {shown.terms.version})",
            body=shown.terms_html,
        )
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
            session,
            actor=f"staff:{user.id}",
            action=f"signing link {why}",
            subject_type="application",
            subject_id=application.id,
            detail={"signing_request": request.id},
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
    token = link_token(request)
    request.token_hash = links.token_hash(token)
    pdf = terms_pdf(session, application)
    terms = _store_pdf(session, application, "terms-of-reference.pdf", pdf, "Terms of Reference sent")
    events.record(
        session,
        actor=f"staff:{user.id}",
        action="signing link sent",
        subject_type="application",
        subject_id=application.id,
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
    subjects = {
        "signing_invite": f"Welcome to the {application.group.name}: please sign the agreement",
        "signing_reminder": f"Reminder: please sign the agreement ({application.reference})",
    }
    notify.email(
        session,
        template,
        to=application.applicant.email,
        subject=subjects[template],
        application_id=application.id,
        automatic=automatic,
        attachments=[
            {"filename": f.filename, "content_type": f.content_type, "storage_name": f.storage_name}
            for f in files
        ],
        application=application,
        group=application.group,
        token=token,
        expires=uk_time(request.expires_at),
    )


def link_token(request: SigningRequest) -> str:
    """The secret in a signing link, derived from the request and the app's secret key, so that a reminder
    can repeat the link while the database keeps only its hash."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    message = f"signing:{request.id}:{request.sent_at.isoformat()}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode().rstrip("=")


# The signing page ----------------------------------------------------------------------------------------


class Refused(Exception):
    """A link that cannot be used, with a message for the person holding it."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(title)
        self.title = title
        self.message = message


def by_token(session: Session, token: str) -> SigningRequest:
    request = session.scalar(
        select(SigningRequest).where(SigningRequest.token_hash == links.token_hash(token))
    )
    if request is None:
        raise Refused(
            "This link does not work",
            "Check that you copied the whole link from the email. Each link works only for the person it "
            "was sent to.",
        )
    if request.signed_at is not None:
        raise Refused(
            "You have already signed the agreement",
            "This link has been used. We have emailed you the signed agreement.",
        )
    if request.cancelled_at is not None:
        raise Refused(
            "This link has been replaced",
            "We have sent you a newer link, or stopped this one. Use the link in our latest email.",
        )
    application = session.get(Application, request.application_id)
    if application.state != State.AGREEMENT_SENT:
        raise Refused(
            "This link is no longer needed",
            "The application it belongs to has been withdrawn or closed. If you think this is wrong, reply "
            "to our email.",
        )
    if request.expires_at < now():
        raise Refused(
            "This link has expired",
            "Links to sign work for a limited time. Reply to our email and we will send you a new one.",
        )
    return request


def opened(session: Session, request: SigningRequest) -> None:
    """The first opening of the emailed link: evidence that the person reads that inbox."""
    if request.first_opened_at is None:
        request.first_opened_at = now()
        request.email_verified_at = request.first_opened_at


@dataclass(frozen=True)
class Signed:
    membership: Membership
    agreement: Attachment
    status_token: str


def sign(
    session: Session, token: str, typed_name: str, shown_sha256: str, ip_address: str, user_agent: str
) -> Signed:
    """Record the signature, once. Refuses (changing nothing) if the text changed since it was shown."""
    request = by_token(session, token)
    application = session.get(Application, request.application_id)
    typed_name = " ".join((typed_name or "").split())
    if not typed_name:
        raise InputError("Type your full name to sign", "full_name")
    if len(typed_name) > MAX_NAME:
        raise InputError(f"Your name must be {MAX_NAME} characters or fewer", "full_name")
    if not same_person(typed_name, application.applicant.name):
        raise InputError(
            f"The name you typed does not match the name on this agreement ({application.applicant.name}). "
            "Each link is for one person. If your name has changed, reply to our email.",
            "full_name",
        )
    shown = documents.shown_to(session, application.group, application.applicant.name)
    if shown_sha256 != shown.sha256:
        raise InputError(
            "The agreement was updated after you opened this page. Read the new version below, then sign.",
            "full_name",
        )
    # Exactly one signature: only the request that flips signed_at from empty goes on.
    claimed = session.execute(
        update(SigningRequest)
        .where(
            SigningRequest.id == request.id,
            SigningRequest.signed_at.is_(None),
            SigningRequest.cancelled_at.is_(None),
        )
        .values(signed_at=now())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Refused("You have already signed the agreement", "We have emailed you the signed agreement.")
    session.refresh(request)
    opened(session, request)
    request.signed_name = typed_name
    request.document_versions = shown.versions
    request.shown_text_sha256 = shown.sha256
    request.ip_address = ip_address[:64]
    request.user_agent = user_agent[:1000]
    pdf = signed_pdf(application, request, shown)
    agreement = _store_pdf(
        session,
        application,
        f"agreement-{application.reference}.pdf",
        pdf,
        "signed and sealed",
    )
    request.pdf_sha256 = agreement.sha256
    request.pdf_attachment_id = agreement.id
    transitions.apply(
        session,
        application,
        Action.SIGN_AGREEMENT,
        APPLICANT,
        detail={
            "signed_name": typed_name,
            "email": application.applicant.email,
            "email_verified_at": request.email_verified_at.isoformat(),
            "document_versions": shown.versions,
            "shown_text_sha256": shown.sha256,
            "pdf_sha256": agreement.sha256,
            "sent_at": request.sent_at.isoformat(),
            "first_opened_at": request.first_opened_at.isoformat(),
            "signed_at": request.signed_at.isoformat(),
            "ip_address": request.ip_address,
            "user_agent": request.user_agent,
        },
    )
    transitions.apply(session, application, Action.ADMIT_MEMBER, SYSTEM)
    membership = Membership(
        application_id=application.id,
        group_id=application.group_id,
        role=MemberRole.MEMBER,
        joined_at=now(),
        agreement_attachment_id=agreement.id,
    )
    session.add(membership)
    session.flush()
    status_token = links.issue_status_link(session, application, STATUS_LINK_DAYS)
    notify.email(
        session,
        "signed",
        to=application.applicant.email,
        subject=f"Welcome to the {application.group.name}: your signed agreement",
        application_id=application.id,
        automatic=True,
        attachments=[
            {
                "filename": agreement.filename,
                "content_type": "application/pdf",
                "storage_name": agreement.storage_name,
            }
        ],
        application=application,
        group=application.group,
        token=status_token,
        meetings=meetings.future(session, application.group_id),
    )
    return Signed(membership, agreement, status_token)


def same_person(typed: str, name: str) -> bool:
    """The name typed shares a word with the name applied under ("Amina Yusuf", "A. Yusuf", "amina yusuf-ali"
    all do): a forwarded link signed by someone else is refused, a spelling variant is not."""

    def words(text: str) -> set[str]:
        return {w for w in re.split(r"[\W_]+", text.casefold()) if len(w) > 1}

    return bool(words(typed) & words(name))


def signed_pdf(application: Application, request: SigningRequest, shown: documents.Shown) -> bytes:
    """The agreement, the Terms of Reference, the signature and an evidence page, sealed."""
    from webapp.pdf import render_pdf

    deployment = current_app.extensions["deployment"]
    html = render_template(
        "pdf/agreement.html",
        deployment=deployment,
        application=application,
        group=application.group,
        request=request,
        shown=shown,
    )
    return seal(
        render_pdf(html),
        seal_settings(current_app),
        reason=f"Confidentiality agreement signed by {request.signed_name}",
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
        application = session.get(Application, request.application_id)
        token = link_token(request)  # the same link as in the first email: both keep working
        request.last_reminded_at = now()
        request.reminders_sent += 1
        _email(session, application, "signing_reminder", token, request, [], automatic=True)
        events.record(
            session,
            actor=SYSTEM.label,
            action="signing reminder sent",
            subject_type="application",
            subject_id=application.id,
            detail={"signing_request": request.id, "reminder": request.reminders_sent},
        )
        sent += 1
    return sent
