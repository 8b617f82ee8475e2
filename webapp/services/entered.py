"""Applications staff enter for a person who applied by phone or on paper: the same service as the web
and the mail poller, the same answers checked by the same page forms, and the same email to the applicant
when an address is known. The event says who entered it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from webapp.models import Application, Group, Source, StaffUser
from webapp.services import InputError, access, applications, events, letters
from webapp.services.actors import SYSTEM, staff

SOURCES = (Source.PHONE, Source.PAPER)


def enter(
    session: Session, user: StaffUser, group: Group, source: Source, answers: dict[str, Any], key: str
) -> tuple[Application, bool]:
    """Record the application. `key` is the entry form's own: sending the form twice makes one
    application. Returns (application, created)."""
    if source not in SOURCES:
        raise InputError("Choose how the application came", "source")
    if not access.serves(user, group.id):
        raise InputError("You can only enter applications for your own groups", "group")
    if not group.open_to_applicants:
        raise InputError(f"The {group.name} is not taking applications", "group")
    arrival = applications.Arrival(
        source=source,
        name=answers.get("full_name", ""),
        email=answers.get("email") or None,
        phone=answers.get("phone") or None,
        group=group,
        answers=answers,
        idempotency_key=f"entry:{key}"[:100],
    )
    # The submission is the applicant's (by phone or post); the event below records who typed it in.
    application, created = applications.receive(session, arrival, SYSTEM)
    if created:
        events.record(session, staff(user), f"application entered ({source})", application)
        if application.known_applicant.email:
            letters.application_received(session, application)
    return application, created
