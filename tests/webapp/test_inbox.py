"""The inbox: filters with counts, oldest waiting first, pages that never repeat or skip, assignment."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.helpers import csrf_token, make_staff, sign_in, text_of
from webapp import clock
from webapp.db import session_scope
from webapp.models import Application, Event, Group, Source
from webapp.services import applications, transitions
from webapp.services.actors import APPLICANT
from webapp.services.inbox import PAGE_SIZE
from webapp.workflow import Action, Role

REFERENCE = re.compile(r">(IAG-[A-Z0-9]{4}-[A-Z0-9]{4})</a>")


def _seed(app, slug: str, count: int, source: Source = Source.WEB, minutes_apart: int = 1) -> list[str]:
    references = []
    for n in range(count):
        with clock.travel(timedelta(minutes=n * minutes_apart)), session_scope(app) as session:
            group = session.scalar(select(Group).where(Group.slug == slug))
            application, _ = applications.receive(
                session,
                applications.Arrival(
                    source=source, name=f"{slug} {n}", email=f"{slug}{n}@example.org", group=group
                ),
                APPLICANT,
            )
            references.append(application.reference)
    return references


def _references(client, url: str) -> list[str]:
    return REFERENCE.findall(client.get(url).get_data(as_text=True))


def test_pages_run_oldest_first_without_repeats_or_gaps(app):
    made = _seed(app, "bristol", PAGE_SIZE * 2 + 7)
    staff = app.test_client()
    sign_in(staff, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    seen, url = [], "/staff/"
    while url:
        html = staff.get(url).get_data(as_text=True)
        seen += REFERENCE.findall(html)
        found = re.search(r'href="([^"]+)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == made  # all of them, in the order they arrived


def test_filters_and_counts(app):
    web = _seed(app, "bristol", 3)
    email = _seed(app, "bristol", 2, source=Source.EMAIL)
    _seed(app, "somerset", 4)
    staff = app.test_client()
    sign_in(staff, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    assert set(_references(staff, "/staff/?source=email")) == set(email)
    assert set(_references(staff, "/staff/?source=web")) == set(web)
    page = text_of(staff.get("/staff/"))
    assert "5 applications, longest waiting first" in page and "Submitted (5)" in page
    assert _references(staff, "/staff/?group=somerset") == []  # not a group this coordinator serves
    assert _references(staff, "/staff/?state=in+review") == []
    assert "that matches these filters" in text_of(staff.get("/staff/?state=in+review"))
    assert _references(staff, "/staff/?after=garbage") == _references(staff, "/staff/")


def test_assign_to_me_and_filter_by_assignee(app):
    first, second = _seed(app, "bristol", 2)
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    staff = app.test_client()
    sign_in(staff, login)
    with session_scope(app) as session:
        application_id = session.scalar(select(Application.id).where(Application.reference == first))
    url = f"/staff/applications/{application_id}"
    staff.post(f"{url}/assign-to-me", data={"csrf_token": csrf_token(staff.get(url).get_data(as_text=True))})
    assert "Assigned to: Priya" in text_of(staff.get(url))
    assert _references(staff, "/staff/?assignee=me") == [first]
    assert _references(staff, "/staff/?assignee=nobody") == [second]
    with session_scope(app) as session:
        event = session.scalar(select(Event).where(Event.action == "assigned"))
        assert event.actor == f"staff:{login.id}" and event.detail["to"] == login.id


def test_finished_cases_are_left_out_until_asked_for(app, client):
    waiting, withdrawn = _seed(app, "bristol", 2)
    with session_scope(app) as session:
        application = session.scalar(select(Application).where(Application.reference == withdrawn))
        transitions.apply(session, application, Action.WITHDRAW, APPLICANT)
    sign_in(client, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    assert _references(client, "/staff/") == [waiting]
    assert _references(client, "/staff/?state=finished") == [withdrawn]
    assert sorted(_references(client, "/staff/?state=any")) == sorted([waiting, withdrawn])
    page = text_of(client.get("/staff/"))
    assert "Open cases (1)" in page and "appeal dismissed (1)" in page and "Any state (2)" in page


def test_a_mangled_filter_in_the_address_shows_nothing_rather_than_an_error(app, client):
    _seed(app, "bristol", 1)
    sign_in(client, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    for url in ("/staff/?state=in+limbo", "/staff/?source=pigeon"):
        response = client.get(url)
        assert response.status_code == 200 and _references(client, url) == []
