"""Status columns read back as their enums, rows written as plain words (as every row before them was)
included, and a word that is not a status is refused before it reaches the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from webapp.db import session_scope
from webapp.models import Application, Group, Source
from webapp.workflow import State


def test_a_row_stored_as_plain_words_reads_back_as_its_state(app):
    with session_scope(app) as session:
        group_id = session.scalar(select(Group.id).where(Group.slug == "bristol"))
        session.execute(
            text(
                "INSERT INTO applications (reference, group_id, source, state, answers, idempotency_key,"
                " created_at, state_changed_at)"
                " VALUES ('IAG-OLD1-ROWS', :g, 'email', 'in review', '{}', 'old', :at, :at)"
            ),
            {"g": group_id, "at": "2026-11-01 10:00:00"},
        )
        application = session.scalar(select(Application).where(Application.reference == "IAG-OLD1-ROWS"))
        assert application.state is State.IN_REVIEW
        assert application.source is Source.EMAIL


def test_a_state_that_does_not_exist_is_refused_and_nothing_is_written(app):
    bogus = Application(reference="IAG-NEW1-ROWS", source=Source.WEB, state="in limbo", answers={})
    with (
        pytest.raises(StatementError, match="not among the defined enum values"),
        session_scope(app) as session,
    ):
        session.add(bogus)
    with session_scope(app) as session:
        assert session.scalar(select(Application.id).where(Application.reference == "IAG-NEW1-ROWS")) is None
