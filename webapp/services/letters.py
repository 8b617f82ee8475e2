"""What the applicant is sent: every email to an applicant goes through `email_applicant` (which records
"email not sent" when there is no address to send to), and decision and appeal letters are the same words
rendered as a PDF under the force's letterhead, kept with the application."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import LazyString, force_locale, gettext, lazy_gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.answers import given_confirmations, shown_answers
from webapp.clock import now
from webapp.files import file_store
from webapp.models import Application, Attachment, Source
from webapp.pdf import print_template
from webapp.questions import Page
from webapp.services import events, links, notify, wording
from webapp.services.actors import SYSTEM


def email_applicant(
    session: Session,
    application: Application,
    template: str,
    subject: str | LazyString,
    *,
    automatic: bool = False,
    attachments: list[dict[str, str]] | None = None,
    **context: Any,
) -> bool:
    """Queue `template` to the applicant, with a link to their page (`token`) unless the caller gives its
    own. Returns False, and records why, when there is no email address to send it to."""
    person = application.applicant
    if person is None or not person.email:
        events.record(
            session,
            SYSTEM,
            "email not sent",
            application,
            detail={"template": template, "why": "no email address known"},
        )
        return False
    if "token" not in context:
        context["token"] = links.issue_status_link(session, application)
    with force_locale(application.language):
        subject = str(subject)  # a subject made with lazy_gettext reads in the person's language
    notify.email(
        session,
        template,
        to=person.email,
        subject=subject,
        language=application.language,
        application_id=application.id,
        automatic=automatic,
        attachments=attachments,
        application=application,
        group=application.group,
        **context,
    )
    return True


def application_received(session: Session, application: Application) -> bool:
    """The email an applicant gets when their application is received (on the web, by phone or on paper):
    the reference and a link to their page."""
    subject = lazy_gettext("Application received: %(reference)s", reference=application.reference)
    return email_applicant(session, application, "submitted", subject, automatic=True)


def store_pdf(session: Session, application: Application, filename: str, pdf: bytes, note: str) -> Attachment:
    """A PDF we made (a letter, the Terms of Reference, a signed agreement), kept with the application."""
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


LETTER = "letter sent to the applicant"  # how a letter is marked among the application's files


def latest_letter(session: Session, application: Application) -> Attachment | None:
    """The last letter sent to the applicant (a decision, an appeal's outcome), for their page."""
    return session.scalar(
        select(Attachment)
        .where(Attachment.application_id == application.id, Attachment.flags == LETTER)
        .order_by(Attachment.id.desc())
    )


def answers_pdf(application: Application, pages: tuple[Page, ...]) -> bytes:
    """What the applicant sent, as a PDF for them to keep: the same answers their page shows."""
    return print_template("pdf/answers.html", application=application, **sent(application, pages))


def sent(application: Application, pages: tuple[Page, ...]) -> dict[str, Any]:
    """What the applicant sent, page by page, as their page and its PDF show it."""
    return {
        "answers": shown_answers(pages, application.answers, application.source == Source.WEB),
        "confirmations": given_confirmations(application.answers),
    }


def enclosed(attachment: Attachment) -> dict[str, str]:
    """A stored attachment as an email's attachment."""
    return {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "storage_name": attachment.storage_name,
    }


@dataclass(frozen=True)
class Letter:
    filename: str
    pdf: bytes


# What each letter is about, as its heading says it (in the applicant's language).
HEADINGS = {
    "decision_offer": _l("Offer of a place"),
    "decision_refer": _l("Referral to a more suitable group"),
    "decision_unsuccessful": _l("Unsuccessful application"),
    "appeal_upheld": _l("Appeal upheld"),
    "appeal_dismissed": _l("Appeal dismissed"),
}


def letter_pdf(application: Application, template: str, body: str) -> Letter:
    """A letter as PDF: an email's text under the force's letterhead, headed with what it is about, in
    the applicant's language (heading, date, labels and the PDF's own language)."""
    language = getattr(application.applicant, "language", None) or "en"
    with force_locale(language):
        heading = str(HEADINGS.get(template, wording.BY_NAME[template].title))
        pdf = print_template(
            "pdf/letter.html",
            application=application,
            body=body,
            heading=heading,
            dated=now(),
            html_lang=language,
        )
    return Letter(f"{template.replace('_', '-')}-{application.reference}.pdf", pdf)


def without_private_link(body: str, token: str, language: str = "en") -> str:
    """A letter's text without the link to the applicant's page: paper is read by others and kept long
    after the link would do. It says where to ask for a link instead."""
    ask = wording.link_to("public.find_application", **({"lang": language} if language != "en" else {}))
    with force_locale(language):
        instead = gettext(
            "%(address)s (give your email address there and we will email you a link)", address=ask
        )
    for private in (
        wording.link_to("public.status", token=token, lang=language),
        wording.link_to("public.status", token=token),
    ):
        body = body.replace(private, instead)
    return body


@dataclass(frozen=True)
class Preview:
    """A letter as it would be sent: the email's text and the PDF (the applicant's link not yet made)."""

    text: str
    letter: Letter


PREVIEW_TOKEN = "the-applicants-own-link"  # noqa: S105 (not a secret: stands for the link made on sending)


def preview(session: Session, application: Application, template: str, **context: Any) -> Preview:
    """The letter as it would be sent, in the applicant's language."""
    language = getattr(application.applicant, "language", None) or "en"
    body = wording.render(
        session,
        template,
        language,
        application=application,
        group=application.group,
        token=PREVIEW_TOKEN,
        **context,
    )
    printed = without_private_link(body, PREVIEW_TOKEN, language)
    return Preview(body, letter_pdf(application, template, printed))


def send_letter(
    session: Session, application: Application, template: str, subject: str | LazyString, **context: Any
) -> None:
    """The letter as a PDF kept with the application, and the same words emailed with it attached."""
    token = links.issue_status_link(session, application)
    language = getattr(application.applicant, "language", None) or "en"
    body = wording.render(
        session, template, language, application=application, group=application.group, token=token, **context
    )
    letter = letter_pdf(application, template, without_private_link(body, token, language))
    kept = store_pdf(session, application, letter.filename, letter.pdf, LETTER)
    email_applicant(
        session, application, template, subject, attachments=[enclosed(kept)], token=token, **context
    )
