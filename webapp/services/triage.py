"""Triage: emails the poller could not place, and applications whose group is not known.

The admin team (and system admins) make an application from an email, attach an email to an application,
set a group, or mark an email "not an application" with a reason. Nothing is deleted; each change is an
event on the email and, where there is one, on the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.files import file_store
from webapp.models import (
    DMARC_FAILED,
    Application,
    Attachment,
    EmailKind,
    Group,
    InboundEmail,
    Mark,
    OutboxMessage,
    StaffUser,
)
from webapp.services import InputError, access, applications, attachments, events, inbound, notify, search
from webapp.services.actors import SYSTEM, staff
from webapp.workflow import State

# What the triage list shows, by tab. Quarantined mail is there so that nothing waits unseen.
TABS = {
    "needs triage": (EmailKind.NEEDS_TRIAGE,),
    "quarantined": (EmailKind.QUARANTINED,),
    "not an application": (EmailKind.NOT_APPLICATION,),
    # Never answered and never an application, but looked at now and then: spam the gateway marked, an
    # automatic reply, a bounce of an enquiry's answer. Nothing waits unseen.
    "automatic": (EmailKind.AUTOMATIC, EmailKind.BOUNCE),
}
# Mail for someone else, and the deployment file's contact for each ([contacts]).
CONTACT_FOR = {
    Mark.SUBJECT_ACCESS: "data_protection",
    Mark.FREEDOM_OF_INFORMATION: "freedom_of_information",
    Mark.COMPLAINT: "complaints",
}
PAGE_SIZE = 50
MAX_REASON = 1000


@dataclass
class TriagePage:
    emails: list[InboundEmail]
    counts: dict[str, int]
    next_cursor: str | None


def page(session: Session, user: StaffUser, tab: str, q: str = "", after: str = "") -> TriagePage:
    kinds = TABS.get(tab, TABS["needs triage"])
    base = select(InboundEmail).where(InboundEmail.application_id.is_(None), access.email_clause(user))
    by_kind = dict(
        session.execute(
            select(InboundEmail.kind, func.count())
            .where(InboundEmail.application_id.is_(None), access.email_clause(user))
            .group_by(InboundEmail.kind)
        ).all()
    )
    counts = {name: sum(by_kind.get(k, 0) for k in kinds_) for name, kinds_ in TABS.items()}
    query = base.where(InboundEmail.kind.in_(kinds))
    matching = search.matching_emails(session, q)
    if matching is not None:
        query = query.where(matching)
    stamp, _, last_id = after.rpartition("|")
    try:
        cursor = (datetime.fromisoformat(stamp), int(last_id)) if after else None
    except ValueError:
        cursor = None
    if cursor and cursor[0].tzinfo is not None:
        query = query.where(tuple_(InboundEmail.received_at, InboundEmail.id) > tuple_(*cursor))
    query = query.order_by(InboundEmail.received_at, InboundEmail.id).limit(PAGE_SIZE + 1)
    rows = list(session.scalars(query))
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_cursor = f"{rows[-1].received_at.isoformat()}|{rows[-1].id}"
    return TriagePage(rows, counts, next_cursor)


def _filed(session: Session, user: StaffUser, action: str, email: InboundEmail, **detail: str) -> None:
    """A triage change is an event on the email and, when it has one, on its application too."""
    events.record(session, staff(user), action, events.Subject("email", email.id), detail=detail)
    if email.application_id is not None:
        events.record(
            session,
            staff(user),
            action,
            events.Subject("application", email.application_id),
            detail={"email_id": email.id, **detail},
        )


def _unplaced(email: InboundEmail) -> None:
    if email.application_id is not None:
        raise InputError("This email already belongs to an application")


def _readable_group(session: Session, user: StaffUser, group_id: int | None) -> Group:
    group = session.get(Group, group_id) if group_id else None
    if group is None:
        raise InputError("Choose the group", "group")
    if not (access.scope(user).triage or access.serves(user, group.id)):
        raise InputError("Choose a group you work with", "group")
    return group


def prefilled_answers(session: Session, email: InboundEmail) -> dict:
    """Answers read back from a returned application form (or a document's text) among the email's files,
    as the mail poller reads them."""
    store = file_store(current_app)
    stored = session.scalars(
        select(Attachment).where(Attachment.email_id == email.id).order_by(Attachment.id)
    )
    files = [
        inbound.IncomingFile(item.filename, item.content_type, store.read(item.storage_name))
        for item in stored
        if item.storage_name and store.exists(item.storage_name)
    ]
    pages = current_app.extensions["deployment"].application_pages
    return attachments.read(files, pages, look=False).answers


def create_application(
    session: Session, email: InboundEmail, user: StaffUser, group_id: int | None
) -> Application:
    """An application from an email: answers pre-filled from a returned form, the email and its files kept
    with it. Creating twice from the same email gives the same application."""
    _unplaced(email)
    group = _readable_group(session, user, group_id)
    if not group.open_to_applicants:
        raise InputError(f"The {group.name} is not taking applications", "group")
    automatic = email.kind == EmailKind.AUTOMATIC
    answers = prefilled_answers(session, email)
    application, _ = applications.receive(
        session,
        applications.Arrival.by_email(
            answers, email.from_name, email.from_address, group, f"triage:{email.id}"
        ),
        SYSTEM,  # the submission is the applicant's email; the event below records who filed it
    )
    email.application_id = application.id
    email.kind = EmailKind.NEW_APPLICATION
    email.reason = f"made an application in triage by {staff(user).label}"
    _filed(session, user, "application made from email", email, application=application.reference)
    if not automatic and email.from_address:  # the person learns their reference now, as by email at once
        inbound.acknowledge(
            session,
            [inbound.Answer(email, application, email.from_address)],
            inbound.own_addresses(current_app),
        )
    return application


def attach(session: Session, email: InboundEmail, user: StaffUser, reference: str) -> Application:
    """File an email with an application the user may see, found by its reference."""
    _unplaced(email)
    normal = search.normal_reference(reference or "")
    if normal is None:
        raise InputError("Enter a reference like IAG-7K3M-9QRT", "reference")
    application = session.scalar(select(Application).where(Application.reference == normal))
    if application is None or not access.may_see(session, user, application):
        raise InputError(f"There is no application {normal} that you can see", "reference")
    email.application_id = application.id
    email.kind = EmailKind.REPLY
    email.reason = f"attached in triage by {staff(user).label}"
    _filed(session, user, "email attached", email, application=application.reference)
    return application


def not_an_application(session: Session, emails: list[InboundEmail], user: StaffUser, reason: str) -> int:
    """Mark emails as not an application, with the reason (the same for all of them). Returns how many."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("Say why these are not applications", "reason")
    if len(reason) > MAX_REASON:
        raise InputError(f"The reason must be {MAX_REASON:,} characters or fewer", "reason")
    if not emails:
        raise InputError("Select at least one email", "email_id")
    for email in emails:
        _unplaced(email)
        before = email.kind
        email.kind = EmailKind.NOT_APPLICATION
        email.reason = reason
        _filed(session, user, "marked not an application", email, reason=reason, was=str(before))
    return len(emails)


# The marks' words in a sentence to the sender, in each language.
PASSED_ON_WHAT = {
    Mark.SUBJECT_ACCESS: (
        "request for your personal data (a subject access request)",
        "gais am eich data personol",
    ),
    Mark.FREEDOM_OF_INFORMATION: ("Freedom of Information request", "gais Rhyddid Gwybodaeth"),
    Mark.COMPLAINT: ("complaint about the police", "gŵyn am yr heddlu"),
}


def pass_on(session: Session, email: InboundEmail, user: StaffUser) -> tuple[str, bool]:
    """Mail for another team (a subject access or FOI request, a complaint), marked as such: the sender gets
    the standard reply (the "passed_on" email, which the force can reword) naming the team's contact from
    the deployment file, and the email is filed as not an application. Returns the contact, and whether
    the sender was written to (not to a forged sender or no address). Staff forward the email itself.
    Once only: an email already filed is refused."""
    _unplaced(email)
    if email.kind != EmailKind.NEEDS_TRIAGE:
        raise InputError("This email has already been filed: nothing was sent")
    if email.mark not in CONTACT_FOR:
        raise InputError("Only a subject access or FOI request, or a complaint, is passed on this way")
    key = CONTACT_FOR[email.mark]
    contact = current_app.extensions["deployment"].contacts.get(key, "")
    if not contact:
        raise InputError(f"No contact is set for this in the deployment file's [contacts] ({key})")
    # In Welsh when our acknowledgement of this email went in Welsh (the poller read it as Welsh).
    language = "cy" if _acknowledged_in_welsh(session, email) else "en"
    replied = bool(email.from_address) and DMARC_FAILED not in email.flags
    if replied:
        notify.email(
            session,
            "passed_on",
            to=email.from_address or "",
            subject=PASSED_ON_SUBJECT[language],
            headers={"In-Reply-To": email.message_id or "", "References": email.message_id or ""},
            purpose="passed on",
            language=language,
            what=PASSED_ON_WHAT[email.mark][language == "cy"],
            contact=contact,
            web_page=contact.startswith("https://"),
        )
    email.kind = EmailKind.NOT_APPLICATION
    email.reason = f"{email.mark}: passed on to {contact}"
    _filed(session, user, "passed on", email, contact=contact)
    return contact, replied


def _acknowledged_in_welsh(session: Session, email: InboundEmail) -> bool:
    if not email.message_id:
        return False
    subjects = session.scalars(
        select(OutboxMessage.subject).where(
            OutboxMessage.to_address == (email.from_address or ""),
            OutboxMessage.purpose.in_(inbound.PURPOSES),
        )
    )
    with force_locale("cy"):
        welsh = gettext("We have received your email")
    return welsh in subjects


PASSED_ON_SUBJECT = {"en": "Your email has been passed on", "cy": "Mae eich e-bost wedi'i anfon ymlaen"}


def set_group(session: Session, application: Application, user: StaffUser, group_id: int | None) -> None:
    """Give an application its group, when the email did not say (or named a closed group)."""
    if application.group_id is not None:
        raise InputError("This application already has a group")
    group = _readable_group(session, user, group_id)
    if not group.open_to_applicants:
        raise InputError(f"The {group.name} is not taking applications", "group")
    application.group_id = group.id
    application.state_changed_at = now()
    events.record(session, staff(user), "group set", application, detail={"group": group.slug})


def first_without_group(session: Session) -> int | None:
    """An application (not a draft) whose group is not known, if there is one: the list says so."""
    return session.scalar(
        select(Application.id)
        .where(Application.group_id.is_(None), Application.state != State.DRAFT)
        .limit(1)
    )
