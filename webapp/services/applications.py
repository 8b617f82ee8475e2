"""What happens when an application arrives, whichever way it came (web form, email, paper)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp import workflow
from webapp.clock import now
from webapp.models import Applicant, Application, Group, Source
from webapp.services import transitions
from webapp.services.actors import Actor

# No 0/O, 1/I/L, U/V or 5/S pairs: a reference must survive being read aloud, handwritten and retyped.
REFERENCE_ALPHABET = "2346789ABCDEFGHJKMNPQRTWXYZ"


class ApplicationError(Exception):
    """An application refused, with a reason fit to show the applicant."""


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"IAG-{chars[:4]}-{chars[4:]}"


@dataclass
class Arrival:
    """A new application, as the web form or the mail poller hands it over."""

    source: Source
    name: str
    email: str | None
    answers: dict[str, Any] = field(default_factory=dict)
    group: Group | None = None
    phone: str | None = None
    idempotency_key: str | None = None


def _by_key(session: Session, key: str | None) -> Application | None:
    if key is None:
        return None
    return session.scalar(select(Application).where(Application.idempotency_key == key))


def receive(session: Session, arrival: Arrival, actor: Actor) -> tuple[Application, bool]:
    """Record a submitted application. Returns (application, created): a repeat of the same idempotency key
    (a double click, a re-fetched email, two requests racing) returns the application already made."""
    existing = _by_key(session, arrival.idempotency_key)
    if existing is not None:
        return existing, False
    if arrival.group is not None and not arrival.group.open_to_applicants:
        raise ApplicationError(f"The {arrival.group.name} is not taking applications.")
    applicant = Applicant(name=arrival.name, email=arrival.email, phone=arrival.phone, created_at=now())
    application = Application(
        group=arrival.group,
        applicant=applicant,
        source=arrival.source,
        state=workflow.State.DRAFT,
        answers=arrival.answers,
        idempotency_key=arrival.idempotency_key,
        created_at=now(),
    )
    for _attempt in range(5):
        application.reference = new_reference()
        try:
            with session.begin_nested():
                session.add_all([applicant, application])
                session.flush()
            break
        except IntegrityError:
            # Either the reference was taken (try another) or the same arrival won a race (return it).
            existing = _by_key(session, arrival.idempotency_key)
            if existing is not None:
                return existing, False
    else:
        raise ApplicationError("Could not allocate a reference; please try again.")
    transitions.apply(
        session, application, workflow.Action.SUBMIT, actor, detail={"source": str(arrival.source)}
    )
    application.submitted_at = now()
    return application, True


def get(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise LookupError(f"no application {application_id}")
    return application
