"""Everything staff see about one application: notes, emails, attachments, possible duplicates and the
timeline. Equal-opportunities answers are never part of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import (
    Applicant,
    Application,
    Attachment,
    Event,
    InboundEmail,
    Note,
    OutboxMessage,
    StaffUser,
)
from webapp.services import InputError, access, events
from webapp.services.actors import SYSTEM, staff, staff_label

MAX_NOTE = 5000


class NoteError(InputError):
    def __init__(self, message: str) -> None:
        super().__init__(message, "body")


RECOMMENDATIONS = {"discuss", "offer", "refer", "unsuccessful"}


def add_note(
    session: Session, application: Application, author: StaffUser, body: str, recommendation: str = ""
) -> Note:
    """A note for colleagues, with (optionally) the author's recommendation: the Chair and the Police
    Coordinator each record theirs before they decide."""
    if not (access.serves(author, application.group_id) or access.decides_appeal(author, application)):
        raise InputError("Only the group's own staff (or the appeals panel, on an appeal) can add notes")
    if recommendation and recommendation not in RECOMMENDATIONS:
        raise InputError("Choose a recommendation from the list", "recommendation")
    body = body.strip()
    if not body:
        raise NoteError("Enter a note")
    if len(body) > MAX_NOTE:
        raise NoteError(f"A note must be {MAX_NOTE:,} characters or fewer")
    note = Note(
        application_id=application.id,
        author_id=author.id,
        body=body,
        recommendation=recommendation or None,
        created_at=now(),
    )
    session.add(note)
    session.flush()
    events.record(
        session,
        staff(author),
        "note added",
        application,
        detail={"note_id": note.id, "recommendation": recommendation or None},
    )
    return note


def assign(session: Session, application: Application, assignee: StaffUser, by: StaffUser) -> None:
    """Give the application to one person to look after (both must serve its group; the appeals panel
    decides appeals, it does not run the group's work)."""
    if not access.serves(by, application.group_id):
        raise InputError("Only the group's own staff can assign its applications")
    if not assignee.active:
        raise InputError(f"{assignee.name}'s account is disabled: choose someone else")
    if not access.serves(assignee, application.group_id):
        raise InputError(f"{assignee.name} does not serve this group")
    before = application.assigned_to_id
    application.assigned_to_id = assignee.id
    events.record(session, staff(by), "assigned", application, detail={"from": before, "to": assignee.id})


def notes(session: Session, application: Application) -> list[tuple[Note, StaffUser]]:
    return list(
        session.execute(
            select(Note, StaffUser)
            .join(StaffUser, Note.author_id == StaffUser.id)
            .where(Note.application_id == application.id)
            .order_by(Note.created_at)
        )
    )


def emails(session: Session, application: Application) -> list[InboundEmail]:
    return list(
        session.scalars(
            select(InboundEmail)
            .where(InboundEmail.application_id == application.id)
            .order_by(InboundEmail.received_at)
        )
    )


def attachments(session: Session, application: Application) -> list[Attachment]:
    email_ids = select(InboundEmail.id).where(InboundEmail.application_id == application.id)
    return list(
        session.scalars(
            select(Attachment)
            .where(or_(Attachment.application_id == application.id, Attachment.email_id.in_(email_ids)))
            .order_by(Attachment.created_at)
        )
    )


def email_attachments(session: Session, email: InboundEmail) -> list[Attachment]:
    return list(
        session.scalars(select(Attachment).where(Attachment.email_id == email.id).order_by(Attachment.id))
    )


def possible_duplicates(session: Session, application: Application, viewer: StaffUser) -> list[Application]:
    """Other applications from the same email address or phone number (that the viewer may see)."""
    person = application.applicant
    if person is None or not (person.email or person.phone):
        return []
    same = []
    if person.email:
        same.append(Applicant.email == person.email)
    if person.phone:
        same.append(Applicant.phone == person.phone)
    query = (
        select(Application)
        .join(Applicant)
        .where(or_(*same), Application.id != application.id)
        .order_by(Application.submitted_at)
    )
    return list(session.scalars(query.where(access.application_clause(viewer))))


@dataclass(frozen=True)
class Moment:
    at: datetime
    what: str
    who: str


def staff_names(session: Session) -> dict[int, str]:
    return {user_id: name for user_id, name in session.execute(select(StaffUser.id, StaffUser.name))}


def timeline(session: Session, application: Application, names: dict[int, str]) -> list[Moment]:
    """Every event, email received and email sent, oldest first; staff shown by name (`staff_names`)."""
    by_actor = {staff_label(user_id): name for user_id, name in names.items()}
    moments = []
    for event in session.scalars(
        select(Event).where(Event.subject_type == "application", Event.subject_id == application.id)
    ):
        change = f" ({event.from_state} → {event.to_state})" if event.to_state else ""
        moments.append(
            Moment(event.at, f"{event.action.capitalize()}{change}", by_actor.get(event.actor, event.actor))
        )
    for email in emails(session, application):
        moments.append(
            Moment(
                email.received_at,
                f"Email received: {email.subject or '(no subject)'}",
                email.from_address or "unknown sender",
            )
        )
    for sent in session.scalars(select(OutboxMessage).where(OutboxMessage.application_id == application.id)):
        moments.append(
            Moment(sent.created_at, f"Email to applicant ({sent.status}): {sent.subject}", SYSTEM.label)
        )
    return sorted(moments, key=lambda m: m.at)
