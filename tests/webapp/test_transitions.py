"""State changes go through the workflow and leave an event; refused ones change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import make_staff, sign_in, text_of
from webapp.db import session_scope
from webapp.models import Application, Event, Group, Source, StaffUser
from webapp.services import applications, transitions
from webapp.services.actors import APPLICANT, staff
from webapp.workflow import Action, NotAllowed, Role, State


def _submit(app, slug: str, name: str) -> int:
    with session_scope(app) as session:
        group = session.scalar(select(Group).where(Group.slug == slug))
        application, created = applications.receive(
            session,
            applications.Arrival(
                source=Source.WEB,
                name=name,
                email=f"{name.lower()}@example.org",
                group=group,
                answers={"why_join": "To help"},
            ),
            APPLICANT,
        )
        assert created
        return application.id


def test_a_submission_is_recorded_as_an_event_with_the_states(app):
    application_id = _submit(app, "bristol", "Amina")
    with session_scope(app) as session:
        [event] = session.scalars(select(Event).where(Event.subject_id == application_id)).all()
        assert (event.actor, event.action, event.from_state, event.to_state) == (
            "applicant",
            "submit",
            "draft",
            "submitted",
        )


def test_a_chair_of_another_group_cannot_start_a_review_and_nothing_changes(app):
    application_id = _submit(app, "bristol", "Amina")
    other_chair = make_staff(app, "sam@force.example", Role.CHAIR, "somerset")
    with session_scope(app) as session:
        application = session.get(Application, application_id)
        actor = staff(session.get(StaffUser, other_chair.id))
        with pytest.raises(NotAllowed, match="Only the"):
            transitions.apply(session, application, Action.START_REVIEW, actor)
        assert application.state == State.SUBMITTED
    with session_scope(app) as session:
        assert len(session.scalars(select(Event).where(Event.action == "start review")).all()) == 0


def test_the_groups_coordinator_can_start_the_review(app):
    application_id = _submit(app, "bristol", "Amina")
    coordinator = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    with session_scope(app) as session:
        application = session.get(Application, application_id)
        transitions.apply(
            session, application, Action.START_REVIEW, staff(session.get(StaffUser, coordinator.id))
        )
    with session_scope(app) as session:
        assert session.get(Application, application_id).state == State.IN_REVIEW
        event = session.scalar(select(Event).where(Event.action == "start review"))
        assert event.actor == f"staff:{coordinator.id}" and event.to_state == "in review"


def test_a_closed_group_takes_no_application(app):
    with session_scope(app) as session:
        strategic = session.scalar(select(Group).where(Group.slug == "strategic"))
        with pytest.raises(applications.ApplicationError, match="Strategic IAG is not taking applications"):
            applications.receive(
                session,
                applications.Arrival(source=Source.EMAIL, name="X", email=None, group=strategic),
                APPLICANT,
            )


def test_the_same_idempotency_key_gives_one_application(app):
    with session_scope(app) as session:
        group = session.scalar(select(Group).where(Group.slug == "bristol"))
        arrival = applications.Arrival(
            source=Source.WEB, name="Amina", email="a@example.org", group=group, idempotency_key="form-123"
        )
        first, created_first = applications.receive(session, arrival, APPLICANT)
        second, created_second = applications.receive(session, arrival, APPLICANT)
    assert (created_first, created_second) == (True, False) and first.id == second.id


def test_each_staff_user_sees_only_the_groups_they_serve(app, client):
    _submit(app, "bristol", "Amina")
    _submit(app, "somerset", "Rhiannon")
    chair = make_staff(app, "sam@force.example", Role.CHAIR, "somerset")
    sign_in(client, chair)
    page = text_of(client.get("/staff/"))
    assert "Rhiannon" in page and "Amina" not in page


def test_a_system_admin_sees_every_group(app, client):
    _submit(app, "bristol", "Amina")
    _submit(app, "somerset", "Rhiannon")
    admin = make_staff(app, "alex@force.example", Role.SYSTEM_ADMIN)
    sign_in(client, admin)
    page = text_of(client.get("/staff/"))
    assert "Rhiannon" in page and "Amina" in page
