"""Withdrawal: by the applicant from their page, or by staff recording the applicant's request."""

from __future__ import annotations

from flask_babel import lazy_gettext
from sqlalchemy.orm import Session

from webapp.models import Application
from webapp.services import letters, transitions
from webapp.services.actors import Actor
from webapp.workflow import Action


def withdraw(session: Session, application: Application, actor: Actor, how: str) -> None:
    transitions.apply(session, application, Action.WITHDRAW, actor, detail={"by": how})
    letters.email_applicant(
        session,
        application,
        "withdrawn",
        lazy_gettext("Application withdrawn: %(reference)s", reference=application.reference),
    )
