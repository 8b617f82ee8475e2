"""Equal-opportunities monitoring answers: written here, read only as aggregates by the equality report.
Nothing in the review side imports this module (a test checks), and no answer is ever put in an email, a
PDF, a search index or a log line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.files import FileStore, file_store
from webapp.models import Application, EqualityFile, EqualityResponse
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


class _File(Protocol):
    filename: str
    content_type: str
    data: bytes


def keep_files(
    session: Session,
    store: FileStore,
    files: Sequence[_File],
    email_id: int | None,
    application_id: int | None,
) -> None:
    """Equal opportunities forms a machine could not read: stored apart, for the equality reporter to
    read and type in, never as an attachment a reviewer can open."""
    for item in files:
        digest = store.put(item.data)
        session.add(
            EqualityFile(
                application_id=application_id,
                email_id=email_id,
                filename=item.filename[:255],
                storage_name=digest,
                content_type=item.content_type,
                size=len(item.data),
                reason="an equal opportunities form that could not be read by machine",
                received_at=now(),
            )
        )


def unread_files(session: Session) -> list[EqualityFile]:
    return list(session.scalars(select(EqualityFile).order_by(EqualityFile.received_at, EqualityFile.id)))


def stored_file(session: Session, file_id: int) -> tuple[EqualityFile, bytes] | None:
    found = session.get(EqualityFile, file_id)
    if found is None:
        return None
    return found, file_store(current_app).read(found.storage_name)
