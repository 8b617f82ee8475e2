"""Web applications in progress: start, save, save-and-return by email, submit, and clean-up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.languages import group_text
from webapp.models import Application, Draft, Group, Source
from webapp.questions import MEETS_REQUIREMENTS, SCREENING_CONSENT, confirmations
from webapp.services import applications, letters, links, notify
from webapp.services.actors import APPLICANT

RESUME_DAYS = 30


def start(
    session: Session,
    group: Group,
    requirements_confirmed: bool,
    screening_consent: bool,
    language: str = "en",
) -> Draft:
    if not group.open_to_applicants:
        raise applications.ApplicationError(f"The {group.name} is not taking applications.")
    draft = Draft(
        group=group,
        answers={},
        requirements_confirmed=requirements_confirmed,
        screening_consent=screening_consent,
        language=language,
        created_at=now(),
        updated_at=now(),
    )
    session.add(draft)
    session.flush()
    return draft


def save(draft: Draft, answers: dict[str, Any]) -> None:
    draft.answers = {**draft.answers, **answers}
    draft.updated_at = now()


def carry(draft: Draft, slug: str, typed: dict[str, str]) -> None:
    """What was typed on page `slug` when the person switched language, to show there once."""
    draft.carried = {"slug": slug, "answers": typed}


def carried(draft: Draft, slug: str) -> dict[str, str] | None:
    """What was carried to page `slug` (once: it is then forgotten)."""
    kept, draft.carried = draft.carried, None
    return kept["answers"] if kept and kept.get("slug") == slug else None


def send_resume_link(session: Session, draft: Draft, email: str) -> None:
    """Email a link to carry on later. A new link replaces the old one; it works for 30 days."""
    token, digest = links.new_token()
    draft.resume_token_hash = digest
    draft.resume_expires_at = now() + timedelta(days=RESUME_DAYS)
    draft.updated_at = now()
    with force_locale(draft.language):
        subject = gettext("Continue your application to the %(group)s", group=group_text(draft.group, "name"))
    notify.email(
        session,
        "resume",
        to=email,
        language=draft.language,
        subject=subject,
        token=token,
        group=draft.group,
        expires=draft.resume_expires_at,
    )


def for_resume_token(session: Session, token: str) -> Draft | None:
    draft = session.scalar(select(Draft).where(Draft.resume_token_hash == links.token_hash(token)))
    if draft is None or draft.resume_expires_at is None or draft.resume_expires_at < now():
        return None
    return draft


def confirmed(draft: Draft) -> dict[str, str]:
    """The specialist group's confirmations given before the application, as answers."""
    given = {
        MEETS_REQUIREMENTS.key: draft.requirements_confirmed,
        SCREENING_CONSENT.key: draft.screening_consent,
    }
    asked = confirmations(bool(draft.group.requirements), draft.group.screening_may_apply)
    return {q.key: "Yes" if given[q.key] else "No" for q in asked}


def lock(session: Session, draft_id: int) -> Draft | None:
    """The draft, locked for the rest of the transaction (PostgreSQL; SQLite's writes are serialised)."""
    return session.scalar(select(Draft).where(Draft.id == draft_id).with_for_update())


def submit(session: Session, draft: Draft) -> Application:
    """Turn the draft into an application through the one "new application" service. Idempotent: a second
    submit of the same draft returns the application made by the first."""
    if draft.application_id is not None:
        return session.get_one(Application, draft.application_id)
    answers = {**draft.answers, **confirmed(draft)}
    arrival = applications.Arrival(
        source=Source.WEB,
        name=answers.get("full_name", ""),
        email=answers.get("email"),
        phone=answers.get("phone") or None,
        group=draft.group,
        answers=answers,
        idempotency_key=f"draft:{draft.id}",
        language=draft.language,
    )
    application, created = applications.receive(session, arrival, APPLICANT)
    draft.application_id = application.id
    draft.answers = {}  # the answers now live on the application only
    draft.resume_token_hash = None
    draft.updated_at = now()
    if created:
        letters.application_received(session, application)
    return application
