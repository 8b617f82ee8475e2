"""Equal-opportunities monitoring answers: written here, read only as aggregates by the equality report.
Nothing in the review side imports this module (a test checks), and no answer is ever put in an email, a
PDF, a search index or a log line."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import Application, EqualityResponse
from webapp.questions import MONITORING_QUESTIONS

FIELDS = tuple(q.key for q in MONITORING_QUESTIONS)


def answered(session: Session, application_id: int) -> bool:
    return (
        session.scalar(select(EqualityResponse.id).where(EqualityResponse.application_id == application_id))
        is not None
    )


def record(session: Session, application_id: int | None, answers: Mapping[str, str | None]) -> bool:
    """Store one set of answers per application (a second set is ignored); answers that came without a
    known application (a returned form with no reference) still count in the totals. Unanswered stays None."""
    if application_id is not None and answered(session, application_id):
        return False
    group_id = None
    if application_id is not None:
        group_id = session.scalar(select(Application.group_id).where(Application.id == application_id))
    values = {key: (answers.get(key) or None) for key in FIELDS}
    session.add(
        EqualityResponse(application_id=application_id, group_id=group_id, submitted_at=now(), **values)
    )
    return True
