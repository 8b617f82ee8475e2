"""What happens when an application arrives, whichever way it came (web form, email, paper)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp import workflow
from webapp.clock import now
from webapp.models import Applicant, Application, Group, Source
from webapp.services import events, transitions
from webapp.services.actors import APPLICANT, Actor

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
    language: str = "en"  # the person's language: chosen on the web, detected in an email

    @classmethod
    def by_email(
        cls, answers: dict[str, Any], sender_name: str, sender: str | None, group: Group | None, key: str
    ) -> Arrival:
        """An application an email makes: the answers its attachments gave (a returned form's details
        first), else the sender's own name and address. Used by the mail poller and by triage alike."""
        return cls(
            source=Source.EMAIL,
            name=answers.get("full_name") or sender_name or sender or "Unknown sender",
            email=answers.get("email") or sender,
            phone=answers.get("phone") or None,
            group=group,
            answers=answers,
            idempotency_key=key,
        )


def made_with(session: Session, email: str) -> list[Application]:
    """The applications made with this email address (any case), newest first."""
    return list(
        session.scalars(
            select(Application)
            .join(Applicant)
            .where(func.lower(Applicant.email) == email.strip().lower())
            .order_by(Application.id.desc())
        )
    )


def _by_keys(session: Session, keys: set[str]) -> dict[str, Application]:
    if not keys:
        return {}
    found = session.scalars(select(Application).where(Application.idempotency_key.in_(keys)))
    return {a.idempotency_key: a for a in found if a.idempotency_key is not None}


def receive(session: Session, arrival: Arrival, actor: Actor) -> tuple[Application, bool]:
    """Record a submitted application. Returns (application, created): a repeat of the same idempotency key
    (a double click, a re-fetched email, two requests racing) returns the application already made."""
    [result] = receive_many(session, [arrival], actor)
    return result


def receive_many(session: Session, arrivals: list[Arrival], actor: Actor) -> list[tuple[Application, bool]]:
    """`receive` for several at once (a batch of emails), written together."""
    keys = {arrival.idempotency_key for arrival in arrivals if arrival.idempotency_key}
    known = _by_keys(session, keys)
    results: list[tuple[Application, bool]] = []
    for arrival in arrivals:
        existing = known.get(arrival.idempotency_key) if arrival.idempotency_key else None
        if existing is not None:
            results.append((existing, False))
            continue
        if arrival.group is not None and not arrival.group.open_to_applicants:
            raise ApplicationError(f"The {arrival.group.name} is not taking applications.")
        application = Application(
            group=arrival.group,
            applicant=Applicant(
                name=arrival.name,
                email=arrival.email,
                phone=arrival.phone,
                created_at=now(),
                language=arrival.language,
                language_chosen_at=now(),
            ),
            source=arrival.source,
            state=workflow.State.DRAFT,
            answers=arrival.answers,
            idempotency_key=arrival.idempotency_key,
            created_at=now(),
        )
        if arrival.idempotency_key:
            known[arrival.idempotency_key] = application
        results.append((application, True))
    for _attempt in range(5):
        new = [application for application, created in results if created]
        if not new:
            break
        for application in new:
            application.reference = new_reference()
        try:
            with session.begin_nested():
                session.add_all(new)
                session.flush()
            break
        except IntegrityError:
            # Either a reference was taken (try another) or the same arrival won a race (return it).
            known = _by_keys(session, keys)
            results = [
                (known[application.idempotency_key], False)
                if created and application.idempotency_key in known
                else (application, created)
                for application, created in results
            ]
    else:
        raise ApplicationError("Could not allocate a reference; please try again.")
    for arrival, (application, created) in zip(arrivals, results, strict=True):
        if created:
            transitions.apply(
                session, application, workflow.Action.SUBMIT, actor, detail={"source": str(arrival.source)}
            )
            application.submitted_at = now()
    return results


def get(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise LookupError(f"no application {application_id}")
    return application


def declaration_needed(application: Application) -> bool:
    """A returned form came with its declaration unticked, and the applicant has not confirmed it since."""
    return (application.answers or {}).get("declaration") == "not ticked"


def confirm_declaration(session: Session, application: Application) -> None:
    application.answers = {**(application.answers or {}), "declaration": "confirmed on the applicant's page"}
    events.record(session, APPLICANT, "declaration confirmed", application)
