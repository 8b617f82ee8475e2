"""Signing the confidentiality agreement on the web: the emailed link (refused kindly when it cannot be
used), the signature recorded once with its evidence, the signed agreement rendered and sealed as PDF, and
the person made a member.

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
from datetime import datetime
from pathlib import Path
from typing import cast

from flask import Flask, current_app
from flask_babel import LazyString, force_locale, gettext, lazy_gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.db import rows_changed
from webapp.languages import group_text, lazy_group_text
from webapp.models import Application, Attachment, Membership, SigningRequest
from webapp.pdf import print_template
from webapp.pdf.seal import SealSettings, seal
from webapp.services import InputError, documents, letters, links, meetings, members, transitions
from webapp.services.actors import APPLICANT, SYSTEM
from webapp.workflow import Action, State

MAX_NAME = 200


def seal_settings(app: Flask) -> SealSettings:
    folder = Path(app.instance_path) / "seal"
    return SealSettings(
        key_path=app.config["SEAL_KEY"] or str(folder / "key.pem"),
        cert_path=app.config["SEAL_CERT"] or str(folder / "cert.pem"),
        password=app.config["SEAL_KEY_PASSWORD"],
    )


def link_token(request: SigningRequest) -> str:
    """The secret in a signing link, derived from the request and the app's secret key, so that a reminder
    can repeat the link while the database keeps only its hash."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    message = f"signing:{request.id}:{request.sent_at.isoformat()}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode().rstrip("=")


class Refused(Exception):
    """A link that cannot be used, with a message for the person holding it."""

    def __init__(self, title: str | LazyString, message: str | LazyString) -> None:
        super().__init__(title)
        self.title = title
        self.message = message


def by_token(session: Session, token: str) -> SigningRequest:
    request = session.scalar(
        select(SigningRequest).where(SigningRequest.token_hash == links.token_hash(token))
    )
    if request is None:
        raise Refused(
            _l("This link does not work"),
            _l(
                "Check that you copied the whole link from the email. Each link works only for the person it "
                "was sent to."
            ),
        )
    if request.signed_at is not None:
        raise Refused(
            _l("You have already signed the agreement"),
            _l("This link has been used. We have emailed you the signed agreement."),
        )
    if request.cancelled_at is not None:
        raise Refused(
            _l("This link has been replaced"),
            _l("We have sent you a newer link, or stopped this one. Use the link in our latest email."),
        )
    application = session.get_one(Application, request.application_id)
    if application.state != State.AGREEMENT_SENT:
        raise Refused(
            _l("This link is no longer needed"),
            _l(
                "The application it belongs to has been withdrawn or closed. "
                "If you think this is wrong, reply to our email."
            ),
        )
    if request.expires_at < now():
        raise Refused(
            _l("This link has expired"),
            _l("Links to sign work for a limited time. Reply to our email and we will send you a new one."),
        )
    return request


def signed_with(session: Session, token: str) -> Attachment | None:
    """The sealed agreement signed through this link, while the link would still be in time: a refresh
    or a second click after signing shows the signed agreement again, not an error."""
    request = session.scalar(
        select(SigningRequest).where(SigningRequest.token_hash == links.token_hash(token))
    )
    if request is None or request.signed_at is None or request.expires_at < now():
        return None
    return session.scalar(
        select(Attachment).where(
            Attachment.application_id == request.application_id, Attachment.sha256 == request.pdf_sha256
        )
    )


def signed_as(session: Session, pdf_sha256: str) -> SigningRequest | None:
    """The signature a sealed agreement records, found by the PDF's SHA-256 (for /verify)."""
    return session.scalar(select(SigningRequest).where(SigningRequest.pdf_sha256 == pdf_sha256))


def opened(session: Session, request: SigningRequest) -> None:
    """The first opening of the emailed link. A mail scanner may open links too, so this proves nothing
    about the person: it is kept as the time the link was first opened, no more."""
    if request.first_opened_at is None:
        request.first_opened_at = now()


@dataclass(frozen=True)
class Signed:
    membership: Membership
    agreement: Attachment
    status_token: str


def sign(
    session: Session,
    token: str,
    typed_name: str,
    shown_sha256: str,
    ip_address: str,
    user_agent: str,
    language: str = "en",
) -> Signed:
    """Record the signature, once, of the documents shown in `language`; the sealed agreement is made in
    that language. Refuses (changing nothing) if the text changed since it was shown."""
    request = by_token(session, token)
    application = session.get_one(Application, request.application_id)
    person, group = application.known_applicant, application.known_group
    typed_name = " ".join((typed_name or "").split())
    if not typed_name:
        raise InputError(gettext("Type your full name to sign"), "full_name")
    if len(typed_name) > MAX_NAME:
        raise InputError(
            gettext("Your name must be %(most)s characters or fewer", most=MAX_NAME), "full_name"
        )
    if not same_person(typed_name, person.name):
        raise InputError(
            gettext(
                "The name you typed does not match the name on this agreement (%(name)s). Each link is for "
                "one person. If your name has changed, reply to our email.",
                name=person.name,
            ),
            "full_name",
        )
    shown = documents.shown_to(session, group, person.name, language)
    if shown_sha256 != shown.sha256:
        raise InputError(
            gettext(
                "The agreement was updated after you opened this page. Read the new version below, then sign."
            ),
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
    if rows_changed(claimed) != 1:
        raise Refused(
            _l("You have already signed the agreement"), _l("We have emailed you the signed agreement.")
        )
    session.refresh(request)
    opened(session, request)
    # The person's own act with the link we emailed: the evidence that they use that address.
    request.email_verified_at = request.signed_at
    # Set just above (the claim) and by `opened`: never empty here.
    signed_at, first_opened_at = cast(datetime, request.signed_at), cast(datetime, request.first_opened_at)
    verified_at = cast(datetime, request.email_verified_at)
    request.signed_name = typed_name
    request.document_versions = shown.versions
    request.shown_text_sha256 = shown.sha256
    request.ip_address = ip_address[:64]
    request.user_agent = user_agent[:1000]
    pdf = signed_pdf(application, request, shown)
    agreement = letters.store_pdf(
        session, application, f"agreement-{application.reference}.pdf", pdf, "signed and sealed"
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
            "email": person.email,
            "email_verified_at": verified_at.isoformat(),
            "document_versions": shown.versions,
            "shown_text_sha256": shown.sha256,
            "pdf_sha256": agreement.sha256,
            "sent_at": request.sent_at.isoformat(),
            "first_opened_at": first_opened_at.isoformat(),
            "signed_at": signed_at.isoformat(),
            "ip_address": request.ip_address,
            "user_agent": request.user_agent,
        },
    )
    transitions.apply(session, application, Action.ADMIT_MEMBER, SYSTEM)
    membership = members.join(session, application, agreement.id)
    status_token = links.issue_status_link(session, application)
    letters.email_applicant(
        session,
        application,
        "signed",
        lazy_gettext("Welcome to the %(group)s: your signed agreement", group=lazy_group_text(group, "name")),
        automatic=True,
        attachments=[letters.enclosed(agreement)],
        token=status_token,
        meetings=meetings.future(session, group.id),
    )
    return Signed(membership, agreement, status_token)


def same_person(typed: str, name: str) -> bool:
    """The name typed shares a word with the name applied under ("Amina Yusuf", "A. Yusuf", "amina yusuf-ali"
    all do): a forwarded link signed by someone else is refused, a spelling variant is not."""

    def words(text: str) -> set[str]:
        return {w for w in re.split(r"[\W_]+", text.casefold()) if len(w) > 1}

    return bool(words(typed) & words(name))


@dataclass(frozen=True)
class Names:
    """The force's and the group's names in one language of the evidence page."""

    force: str
    group: str


def evidence_languages(shown: documents.Shown) -> list[str]:
    """The languages of the evidence page: the signer's first, then every other the service offers (a
    force in Wales gets a bilingual page, whichever language was signed in)."""
    offered = current_app.extensions["deployment"].languages
    return [shown.language, *(code for code in offered if code != shown.language)]


def signed_pdf(application: Application, request: SigningRequest, shown: documents.Shown) -> bytes:
    """The agreement, the Terms of Reference and the signature in the language signed in, and an evidence
    page in every language the service offers; sealed."""
    both = evidence_languages(shown)
    deployment = current_app.extensions["deployment"]
    names = []
    for code in both:
        with force_locale(code):
            names.append(Names(deployment.name, group_text(application.known_group, "name")))
    with force_locale(shown.language):
        pdf = print_template(
            "pdf/agreement.html",
            application=application,
            group=application.group,
            request=request,
            shown=shown,
            evidence_languages=both,
            names=names,
        )
    reasons = []
    for code in both:
        with force_locale(code):
            reasons.append(gettext("Confidentiality agreement signed by %(name)s", name=request.signed_name))
    return seal(pdf, seal_settings(current_app), reason=" / ".join(reasons))
