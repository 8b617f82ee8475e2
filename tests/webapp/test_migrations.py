"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and unwind."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import webapp.models  # noqa: F401
from tests import harness
from tests.conftest import make_app
from webapp import migrate
from webapp.db import Base


def test_migrations_build_the_models_schema_and_unwind(database_url, tmp_path):
    url, pg = harness.fresh_database(database_url, tmp_path)
    try:
        migrate.upgrade(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            differences = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_name": migrate.modelled}
                ),
                Base.metadata,
            )
        assert differences == []
        migrate.downgrade(url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(url)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        engine.dispose()
    finally:
        if pg is not None:
            pg.drop()


def test_a_release_rolls_back_one_migration_step_keeping_the_data(database_url, tmp_path):
    """README "Upgrading": rolling back a release is `db-downgrade` (one step), then the older code."""
    from sqlalchemy import text

    url, pg = harness.fresh_database(database_url, tmp_path)
    try:
        migrate.upgrade(url)
        head, before = migrate.current(url), migrate.previous(url)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO staff_users (email, name, active, failed_attempts, session_generation, "
                    "created_at) VALUES ('jo@force.example', 'Jo', true, 0, 1, '2026-12-01 10:00:00')"
                )
            )
        app = make_app(url, tmp_path / "instance", 25)
        result = app.test_cli_runner().invoke(args=["db-downgrade", "--yes"])
        assert result.exit_code == 0, result.output
        assert f"Database is back at migration {before}." in result.output
        assert migrate.current(url) == before != head
        with engine.connect() as conn:
            assert conn.execute(text("SELECT email FROM staff_users")).scalars().all() == ["jo@force.example"]
        migrate.upgrade(url)
        assert migrate.current(url) == head
        app.extensions["iag_engine"].dispose()
        engine.dispose()
    finally:
        if pg is not None:
            pg.drop()


def _old_chain(count: int) -> list[dict]:
    """Events hashed the way migration 0006 and before did (the detail itself inside the hash)."""
    import hashlib
    import json
    from datetime import UTC, datetime

    def canonical(value) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)

    rows, previous = [], "0" * 64
    for seq in range(1, count + 1):
        row = {
            "seq": seq,
            "at": datetime(2026, 1, 1, 12, seq, tzinfo=UTC),
            "actor": "staff:1",
            "action": "note added",
            "subject_type": "application",
            "subject_id": 1,
            "from_state": None,
            "to_state": None,
            "detail": {"reason": f"Ms Example said {seq}"},
            "prev_hash": previous,
        }
        body = {**row, "at": row["at"].isoformat()}
        row["hash"] = previous = hashlib.sha256(canonical(body).encode()).hexdigest()
        rows.append(row)
    return rows


def test_the_event_chain_is_checked_then_rehashed_so_details_can_be_redacted(database_url, tmp_path):
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from webapp.models import Event, EventChainHead
    from webapp.services import events

    url, pg = harness.fresh_database(database_url, tmp_path)
    try:
        migrate.upgrade(url, "0006")
        engine = create_engine(url)
        rows = _old_chain(12)
        with engine.begin() as conn:
            conn.execute(Event.__table__.insert(), [{k: v for k, v in r.items()} for r in rows])
            conn.execute(update(EventChainHead).values(seq=12, hash=rows[-1]["hash"]))
        migrate.upgrade(url)
        with Session(engine) as session:
            assert events.verify(session).intact
            assert events.redact(session, Event.seq.in_([3, 7])) == 2
            session.commit()
            checked = events.verify(session)
            assert checked.intact and checked.checked == 12
            assert session.get(Event, 3).detail == {}
            # A redacted detail cannot be filled back in with something else.
            session.execute(update(Event).where(Event.seq == 7).values(detail={"reason": "invented"}))
            session.commit()
            assert events.verify(session).problems == ["event 7 (note added) has been altered"]
        engine.dispose()
        # A chain already broken is not re-hashed (that would hide the damage).
        (tmp_path / "second").mkdir()
        url, pg2 = harness.fresh_database(database_url, tmp_path / "second")
        migrate.upgrade(url, "0006")
        engine = create_engine(url)
        rows[4]["detail"] = {"reason": "edited"}
        with engine.begin() as conn:
            conn.execute(Event.__table__.insert(), rows)
            conn.execute(update(EventChainHead).values(seq=12, hash=rows[-1]["hash"]))
        engine.dispose()
        try:
            migrate.upgrade(url)
        except RuntimeError as exc:
            assert "does not verify at event 5" in str(exc)
        else:
            raise AssertionError("a broken chain was re-hashed")
        if pg2 is not None:
            pg2.drop()
    finally:
        if pg is not None:
            pg.drop()


def test_existing_members_get_their_person_one_per_email_address(database_url, tmp_path):
    from sqlalchemy import text

    url, pg = harness.fresh_database(database_url, tmp_path)
    try:
        migrate.upgrade(url, "0012")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO groups (id, slug, name, kind, open_to_applicants, summary, "
                    "requirements, screening_may_apply, meeting_place, position) VALUES "
                    "(1, 'a', 'A IAG', 'area', true, '', '', false, '', 0), "
                    "(2, 'b', 'B IAG', 'area', true, '', '', false, '', 1)"
                )
            )
            people = [
                (1, "Amina Yusuf", "Amina@Example.org"),
                (2, "Amina Yusuf", "amina@example.org"),
                (3, "Erased", None),
            ]
            for number, name, email in people:
                conn.execute(
                    text(
                        "INSERT INTO applicants (id, name, email, created_at, language) "
                        "VALUES (:id, :name, :email, :now, 'cy')"
                    ),
                    {"id": number, "name": name, "email": email, "now": "2026-01-01 00:00:00"},
                )
                conn.execute(
                    text(
                        "INSERT INTO applications (id, reference, group_id, applicant_id, source, state, "
                        "answers, created_at, state_changed_at) VALUES (:id, :ref, :group, :id, 'web', "
                        "'member', '{}', :now, :now)"
                    ),
                    {
                        "id": number,
                        "ref": f"IAG-AAAA-000{number}",
                        "group": 1 + number % 2,
                        "now": "2026-01-01 00:00:00",
                    },
                )
                conn.execute(
                    text(
                        "INSERT INTO memberships (id, application_id, group_id, role, joined_at) "
                        "VALUES (:id, :id, :group, 'member', :now)"
                    ),
                    {"id": number, "group": 1 + number % 2, "now": "2026-01-01 00:00:00"},
                )
        migrate.upgrade(url)
        with engine.connect() as conn:
            members = conn.execute(text("SELECT id, email, name, language FROM members")).all()
            assert [(email, name, language) for _id, email, name, language in members] == [
                ("amina@example.org", "Amina Yusuf", "cy")
            ]
            linked = dict(conn.execute(text("SELECT id, member_id FROM memberships")).all())
            assert linked == {1: members[0][0], 2: members[0][0], 3: None}
        engine.dispose()
    finally:
        if pg is not None:
            pg.drop()
