"""The pipeline dashboard: a coordinator sees their own groups' figures, worked out from the event log."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.helpers import make_staff, sign_in
from webapp import clock
from webapp.db import session_scope
from webapp.models import Application, Group, Referral, Source
from webapp.services import transitions
from webapp.services.actors import Actor
from webapp.workflow import Action, Role

REVIEWER = Actor("staff:1", fixed_roles=frozenset({Role.POLICE_COORDINATOR}))
SYSTEM = Actor("system", fixed_roles=frozenset({Role.SYSTEM}))


def _application(session, group: Group, n: int, source: Source) -> Application:
    application = Application(
        reference=f"IAG-DASH{n:03d}-2345",
        group_id=group.id,
        source=source,
        state="draft",
        answers={},
        submitted_at=clock.now(),
    )
    session.add(application)
    session.flush()
    transitions.apply(session, application, Action.SUBMIT, SYSTEM)
    return application


def _cells(page: str, caption: str) -> list[list[str]]:
    table = page.split(caption, 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def test_a_coordinator_sees_sources_states_stage_times_oldest_and_referrals_of_their_groups(app):
    with session_scope(app) as session:
        groups = {g.slug: g for g in session.scalars(select(Group))}
        bristol, somerset = groups["bristol"], groups["somerset"]
        with clock.travel(timedelta(days=-30)):
            web = [_application(session, bristol, n, Source.WEB) for n in range(3)]
            email = [_application(session, bristol, n, Source.EMAIL) for n in range(3, 5)]
            _application(session, somerset, 9, Source.WEB)
        # Stays in "submitted" of 4, 10 and 20 days: the median is 10.
        for application, days in zip(web, (4, 10, 20), strict=True):
            with clock.travel(timedelta(days=-30 + days)):
                transitions.apply(session, application, Action.START_REVIEW, REVIEWER)
        session.add(Referral(from_application_id=email[0].id, to_group_id=somerset.id))
        oldest = email[1].reference
    coordinator = app.test_client()
    sign_in(coordinator, make_staff(app, "c@force.example", Role.POLICE_COORDINATOR, "bristol"))
    page = coordinator.get("/staff/dashboard").get_data(as_text=True)
    assert _cells(page, "How applications came")[1:] == [[bristol.name, "3", "2", "0"]]
    states = dict((row[0], row[1:]) for row in _cells(page, "Where applications are now")[1:])
    assert states["Submitted"] == ["2"] and states["In review"] == ["3"]
    stages = _cells(page, "Time spent in each stage")
    assert ["Submitted", "10.0", "3"] in stages
    waiting = _cells(page, "applications waiting longest")
    assert waiting[1][0] in {oldest, email[0].reference} and waiting[1][3] == "30"
    assert _cells(page, "Referrals between groups")[1] == [bristol.name, somerset.name, "1", "0", "0"]
    assert "IAG-DASH009" not in page  # another group's application
    chair_b = app.test_client()
    sign_in(chair_b, make_staff(app, "b@force.example", Role.CHAIR, "somerset"))
    other = chair_b.get("/staff/dashboard").get_data(as_text=True)
    assert _cells(other, "How applications came")[1:] == [[somerset.name, "1", "0", "0"]]
    reporter = app.test_client()
    sign_in(reporter, make_staff(app, "r@force.example", Role.EQUALITY_REPORTER))
    assert reporter.get("/staff/dashboard").status_code == 404
