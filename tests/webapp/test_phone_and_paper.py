"""Staff enter an application taken by phone or on paper: the web's questions and checks, the same email
to the applicant when an address is known, and the timeline says who entered it."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.apply_journey import ANSWERS
from tests.helpers import csrf_token, text_of
from tests.review_journey import mails_to, staff_client
from webapp.db import session_scope
from webapp.models import Application, Event, Group
from webapp.workflow import Role

URL = "/staff/applications/new"


def every_answer(**changes: str) -> dict[str, str]:
    answers = {key: value for page in ANSWERS.values() for key, value in page.items()}
    return answers | changes


def group_id(app, slug: str) -> int:
    with session_scope(app) as session:
        return session.scalar(select(Group.id).where(Group.slug == slug))


def enter(client, app, answers: dict, source: str = "phone", group: str = "bristol", key: str | None = None):
    page = client.get(URL).get_data(as_text=True)
    opened_key = key or re.search(r'name="entry_key" type="hidden" value="([^"]+)"', page).group(1)
    data = {**answers, "group": str(group_id(app, group)), "source": source, "entry_key": opened_key}
    return client.post(URL, data={**data, "csrf_token": csrf_token(page)})


def test_a_coordinator_enters_a_phone_application_and_the_applicant_gets_their_reference(app):
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    assert "Enter an application taken by phone or on paper" in text_of(coordinator.get("/staff/"))
    made = enter(coordinator, app, every_answer(email="caller@example.org"))
    assert made.status_code == 302
    case = text_of(coordinator.get(made.headers["Location"]))
    assert "Phone application" in case and "Amina Yusuf" in case
    with session_scope(app) as session:
        application = session.scalar(select(Application))
        assert (application.source, application.state, application.group.slug) == (
            "phone",
            "submitted",
            "bristol",
        )
        entered = session.scalar(select(Event).where(Event.action == "application entered (phone)"))
        assert entered.actor.startswith("staff:")
    assert "application entered (phone)" in case.lower()  # on the timeline
    [email] = mails_to(app, "caller@example.org")
    assert (
        email.subject == f"Application received: {application.reference}"
        and "/my-application/" in email.body_text
    )


def test_the_webs_checks_apply_and_nothing_is_lost_when_one_fails(app):
    chair = staff_client(app, "dele@force.example", Role.CHAIR, "bristol")
    refused = enter(chair, app, every_answer(why_join="", email="not-an-address"), source="paper")
    assert refused.status_code == 422
    page = text_of(refused)
    assert "There is a problem" in page and "email address" in page.lower()
    assert "Amina Yusuf" in refused.get_data(as_text=True)  # what was typed is still there
    with session_scope(app) as session:
        assert session.scalar(select(Application)) is None


def test_someone_without_email_can_apply_by_phone_and_sending_twice_makes_one(app):
    chair = staff_client(app, "dele@force.example", Role.CHAIR, "bristol")
    no_email = every_answer(email="", contact_preference="Phone")
    first = enter(chair, app, no_email, key="same-form")
    second = enter(chair, app, no_email, key="same-form")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with session_scope(app) as session:
        [application] = session.scalars(select(Application)).all()
        assert application.applicant.email is None and application.applicant.phone == "+44 7700 900982"
    assert enter(chair, app, every_answer(email="", phone="")).status_code == 422  # one of the two is needed


def test_staff_enter_applications_only_for_their_own_groups(app):
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page = coordinator.get(URL).get_data(as_text=True)
    assert "Bristol IAG" in page and "Somerset IAG" not in page
    refused = enter(coordinator, app, every_answer(), group="somerset")
    assert refused.status_code == 422
    reporter = staff_client(app, "eq@force.example", Role.EQUALITY_REPORTER, None)
    assert reporter.get(URL).status_code == 404  # serves no group
    with session_scope(app) as session:
        assert session.scalar(select(Application)) is None
