"""The equality report: only the equality reporter and system admins see it; it never shows a count under 5,
and no combination of its filters lets a small number be worked out by subtraction. Checked on a small
seeded population, against every year and group the filters offer, by playing the person subtracting."""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from tests.helpers import make_staff, sign_in
from webapp.db import session_scope
from webapp.models import Application, EqualityResponse, Event, Group, Membership, Source
from webapp.questions import MONITORING_QUESTIONS, PREFER_NOT
from webapp.services import equality_report, events
from webapp.services.actors import Actor
from webapp.workflow import Role

STAGES = ("applied", "offered", "joined")
HIDDEN = {"fewer than 5", "not shown"}


@dataclass
class Person:
    group: str | None  # None: a returned form with no reference
    year: int
    answers: dict[str, str | None]
    stages: tuple[str, ...]


def _population(seed: int, years: tuple[int, ...], groups: list[str]) -> list[Person]:
    """Skewed answers, so that the tables hold both large and small numbers."""
    rng = random.Random(seed)
    people = []
    for year in years:
        for _ in range(100):
            group = rng.choices([*groups, None], weights=[*[6, 3, 1, 1][: len(groups)], 1])[0]
            answers = {}
            for question in MONITORING_QUESTIONS:
                choices = [c for c in question.choices if c != PREFER_NOT]
                pick = rng.random()
                answers[question.key] = (
                    choices[0]
                    if pick < 0.55
                    else None
                    if pick < 0.62
                    else PREFER_NOT
                    if pick < 0.7
                    else rng.choice(choices)
                )
            offered = group is not None and rng.random() < 0.5
            joined = offered and rng.random() < 0.6
            stages = ("applied",) + (("offered",) if offered else ()) + (("joined",) if joined else ())
            people.append(Person(group, year, answers, stages))
    return people


def _seed(app, people: list[Person]) -> None:
    with session_scope(app) as session:
        ids = {g.slug: g.id for g in session.scalars(select(Group))}
        for n, person in enumerate(people):
            when = datetime(person.year, 1 + n % 12, 1 + n % 27, 12, tzinfo=UTC)
            application_id = None
            if person.group is not None:
                application = Application(
                    reference=f"IAG-EQ{n:04d}-2345",
                    group_id=ids[person.group],
                    source=Source.WEB,
                    state="member" if "joined" in person.stages else "submitted",
                    answers={},
                    submitted_at=when,
                )
                session.add(application)
                session.flush()
                application_id = application.id
                if "offered" in person.stages:
                    events.record(
                        session,
                        Actor("staff:1"),
                        "confirm decision",
                        application,
                        from_state="decision proposed",
                        to_state="offered",
                    )
                if "joined" in person.stages:
                    session.add(Membership(application_id=application.id, group_id=ids[person.group]))
            session.add(
                EqualityResponse(
                    application_id=application_id,
                    group_id=ids.get(person.group),
                    submitted_at=when,
                    **person.answers,
                )
            )


def _truth(people: list[Person], year: int, group: str) -> Counter:
    counts: Counter = Counter()
    for person in people:
        key = person.group or equality_report.UNKNOWN
        if person.year != year or group not in (equality_report.ALL, key):
            continue
        for stage in person.stages:
            counts[("", "Total", stage)] += 1
            for question in MONITORING_QUESTIONS:
                counts[(question.label, person.answers[question.key] or "Not answered", stage)] += 1
    return counts


def _published(client, year: int, group: str) -> dict:
    """(question label, answer, stage, year) -> a number, or None where the report hides it."""
    response = client.get("/staff/equality.csv", query_string={"year": year, "group": group})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, cells = rows[0], {}
    for row in rows[1:]:
        _group, question, answer = row[:3]
        question = "" if answer == "Total" else question
        for column, text in zip(header[3:], row[3:], strict=True):
            stage = {"Applied": "applied", "Offered": "offered", "Joined": "joined"}[column.split()[0]]
            cell_year = int(column.split()[-1])
            assert text in HIDDEN or (text.isdigit() and int(text) >= 5), (year, group, row)
            cells[(question, answer, stage, cell_year)] = None if text in HIDDEN else int(text)
    return cells


def _lines(groups: list[str], questions: dict[str, list[str]], years: list[int]):
    """How the published figures add up, as the person subtracting would see it:
    (total, parts, whether the line also holds a difference that is never published)."""
    cells = [("", "Total")] + [(q, a) for q, answers in questions.items() for a in answers]
    for year in years:
        for stage in STAGES:
            for group in [*groups, "all"]:
                for question, answers in questions.items():
                    total = (group, "", "Total", stage, year)
                    yield total, [(group, question, a, stage, year) for a in answers], False
            for question, answer in cells:
                total = ("all", question, answer, stage, year)
                yield total, [(g, question, answer, stage, year) for g in groups], False
        for group in [*groups, "all"]:
            for question, answer in cells:
                for wider, narrower in pairwise(STAGES):
                    yield (
                        (group, question, answer, wider, year),
                        [(group, question, answer, narrower, year)],
                        True,
                    )


def _subtract(published: dict, truth: dict, lines: list) -> list[str]:
    """Work out everything subtraction gives, line by line, until nothing more follows. Report each number
    from 1 to 4 it gives away: a hidden count, a sum of hidden counts, or a difference between stages."""
    known = {k: v for k, v in published.items() if v is not None}
    found, progress = [], True
    while progress:
        progress = False
        for total, parts, unpublished in lines:
            unknown = [k for k in (total, *parts) if k not in known]
            if len(unknown) + unpublished == 1:
                if unpublished:
                    revealed = known[total] - known[parts[0]]
                else:
                    key = unknown[0]
                    if key == total:
                        revealed = sum(known[p] for p in parts)
                    else:
                        revealed = known[total] - sum(known[p] for p in parts if p != key)
                    known[key], progress = revealed, True
                    assert revealed == truth[key], "the report does not add up"
            elif unknown and total not in unknown:
                revealed = known[total] - sum(known[p] for p in parts if p in known)
            else:
                continue
            if 0 < revealed < 5:
                found.append(f"{revealed} from {total} = {parts}")
    return found


@pytest.fixture
def reporter(app):
    client = app.test_client()
    sign_in(client, make_staff(app, "reporter@force.example", Role.EQUALITY_REPORTER))
    return client


def test_no_filter_combination_shows_or_gives_away_a_count_under_5(app, reporter):
    this_year = equality_report.this_year()
    years = [this_year - 1, this_year]
    with session_scope(app) as session:
        slugs = [g.slug for g in session.scalars(select(Group).order_by(Group.position))][:3]
    people = _population(7, tuple(years), slugs)
    _seed(app, people)
    page = reporter.get("/staff/equality").get_data(as_text=True)
    offered = re.findall(r'<option value="([\w-]+)"', page.split('id="group"')[1].split("</select>")[0])
    assert offered[0] == "all" and "not-known" in offered
    groups = [g for g in offered if g != "all"]
    questions: dict[str, list[str]] = {}
    published, truth, views = {}, {}, 0
    for year in years:
        for group in offered:
            cells = _published(reporter, year, group)
            views += 1
            html = reporter.get("/staff/equality", query_string={"year": year, "group": group})
            views += 1
            shown = re.findall(r'govuk-table__cell--numeric">([^<]*)</td>', html.get_data(as_text=True))
            assert shown and all(t in HIDDEN or int(t) >= 5 for t in shown), (year, group)
            for (question, answer, stage, cell_year), value in cells.items():
                if question:
                    questions.setdefault(question, [])
                    if answer not in questions[question]:
                        questions[question].append(answer)
                key = (group, question, answer, stage, cell_year)
                assert published.get(key, value) == value, "one figure, two values"
                published[key] = value
            for cell_year in (year, year - 1):
                for (question, answer, stage), n in _truth(people, cell_year, group).items():
                    truth[(group, question, answer, stage, cell_year)] = n
    for key, value in published.items():
        truth.setdefault(key, 0)
        if value is not None:
            assert value == truth[key], key  # what is shown is right
    shown = [v for v in published.values() if v is not None]
    hidden = [k for k, v in published.items() if v is None]
    assert len(shown) > 50 and hidden  # the report still says something, and it did hide things
    # Whatever the filters, the figures hold nothing that subtraction turns into a count of 1 to 4.
    lines = [
        line for line in _lines(groups, questions, years) if all(k in published for k in (line[0], *line[1]))
    ]
    assert len(lines) > 1000
    assert _subtract(published, truth, lines) == []
    with session_scope(app) as session:
        logged = session.scalars(select(Event).where(Event.action == "equality report viewed")).all()
        assert len(logged) == views + 1
        assert {(e.detail["year"], e.detail["group"]) for e in logged} >= {(years[0], "all")}


def test_the_person_subtracting_is_caught_when_protection_is_only_primary(app):
    """The check above can fail: hide only the counts under 5 and it finds what subtraction gives away."""
    values = Counter(
        {
            ("g", "", "Total", "applied"): 12,
            ("g", "sex", "Female", "applied"): 9,
            ("g", "sex", "Male", "applied"): 3,
        }
    )
    published = {(*k[:4], 2026): (v if v >= 5 else None) for k, v in values.items()}
    lines = [
        (
            ("g", "", "Total", "applied", 2026),
            [("g", "sex", a, "applied", 2026) for a in ("Female", "Male")],
            False,
        )
    ]
    truth = {(*k[:4], 2026): v for k, v in values.items()}
    assert _subtract(published, truth, lines) == [
        "3 from ('g', '', 'Total', 'applied', 2026) = " + str(lines[0][1])
    ]
    hidden = equality_report.protect(values, ["g"])
    assert hidden[("g", "sex", "Male", "applied")] == "fewer than 5"
    assert hidden[("g", "sex", "Female", "applied")] == "not shown"


def test_only_the_equality_reporter_and_system_admins_see_it(app, reporter):
    coordinator = app.test_client()
    sign_in(coordinator, make_staff(app, "coordinator@force.example", Role.POLICE_COORDINATOR, "bristol"))
    admin = app.test_client()
    sign_in(admin, make_staff(app, "admin@force.example", Role.SYSTEM_ADMIN))
    assert coordinator.get("/staff/equality").status_code == 404
    assert coordinator.get("/staff/equality.csv").status_code == 404
    assert "Equality report" not in coordinator.get("/staff/").get_data(as_text=True)
    assert admin.get("/staff/equality").status_code == 200
    page = reporter.get("/staff/equality", query_string={"year": "1066", "group": "atlantis"})
    text = page.get_data(as_text=True)
    assert "Choose a year from" in text and "Choose a group from the list" in text
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 0
