"""The event log is hash-chained: `verify-events` passes on an honest log and names an edited event."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from webapp.db import session_scope
from webapp.models import Event
from webapp.services import events
from webapp.services.actors import SYSTEM


def _record_some(app, count: int) -> None:
    with session_scope(app) as session:
        for n in range(count):
            events.record(
                session,
                SYSTEM,
                "test event",
                events.Subject("test", n),
                detail={"n": n, "text": "naïve café"},
            )


def test_verify_events_passes_on_an_honest_log(app, runner):
    _record_some(app, 5)
    result = runner.invoke(args=["verify-events"])
    assert result.exit_code == 0
    assert "Event log intact: 5 events checked." in result.output


def test_verify_events_detects_one_edited_event(app, runner):
    _record_some(app, 5)
    with session_scope(app) as session:
        session.execute(text("UPDATE events SET actor = 'staff:99' WHERE seq = 3"))
    result = runner.invoke(args=["verify-events"])
    assert result.exit_code == 1
    assert "event 3 (test event) has been altered" in result.output
    assert "NOT intact" in result.output


def test_verify_events_detects_a_deleted_event(app, runner):
    _record_some(app, 5)
    with session_scope(app) as session:
        session.execute(text("DELETE FROM events WHERE seq = 2"))
    result = runner.invoke(args=["verify-events"])
    assert result.exit_code == 1
    assert "event 2 is missing" in result.output


@pytest.mark.committing
def test_concurrent_writers_extend_one_unbroken_chain(app):
    """Eight threads appending at once must queue on the chain head, not fork the chain."""
    errors: list[BaseException] = []

    def writer():
        try:
            _record_some(app, 10)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session_scope(app) as session:
        assert len(session.scalars(select(Event)).all()) == 80
        result = events.verify(session)
    assert result.intact, result.problems


def test_events_join_the_chain_in_the_order_recorded_and_a_rolled_back_savepoint_leaves_none(app, runner):
    """Events are chained when the session flushes, several at a time; one recorded in a savepoint that
    is rolled back is never written, and the chain has no gap where it would have been."""
    with session_scope(app) as session:
        for n in range(3):
            events.record(session, SYSTEM, f"kept {n}", events.Subject("test"))
        try:
            with session.begin_nested():
                events.record(session, SYSTEM, "rolled back", events.Subject("test"))
                session.flush()
                raise RuntimeError("the step failed")
        except RuntimeError:
            pass
        events.record(session, SYSTEM, "kept 3", events.Subject("test"))
    with session_scope(app) as session:
        rows = session.execute(select(Event.seq, Event.action).order_by(Event.seq)).all()
    assert rows == [(1, "kept 0"), (2, "kept 1"), (3, "kept 2"), (4, "kept 3")]
    assert "Event log intact: 4 events checked." in runner.invoke(args=["verify-events"]).output
