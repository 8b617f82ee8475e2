"""The equality report: for each group and year, how many people gave each equal-opportunities answer among
those who applied, those offered a place and those who joined, beside the year before. Aggregates only.

Small numbers are protected in one place, `protect()`:
- every count under 5 (0 included) is shown as "fewer than 5";
- the published counts add up along lines: the answers to a question add up to the total, the groups add up
  to "all groups", and each stage is inside the one before (applied = not offered + offered). On every line
  whatever subtraction reveals (one hidden count, the sum of several, or the difference between two stages)
  must not be 1 to 4; where it would be, the smallest count still shown on that line is withheld too
  ("not shown"), and so on until every line holds. A zero may still be worked out: it identifies nobody.
The totals are the same cells for every question, so one question's table cannot give away another's.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.clock import UK, now
from webapp.models import Application, EqualityResponse, EqualityTally, Event, Group, Membership, StaffUser
from webapp.questions import MONITORING_QUESTIONS, Question
from webapp.services import events
from webapp.services.actors import staff
from webapp.services.members import safe_cell, spreadsheet_writer
from webapp.workflow import State

THRESHOLD = 5
STAGES = ("applied", "offered", "joined")
STAGE_NAMES = {"applied": "Applied", "offered": "Offered a place", "joined": "Joined"}
ALL = "all"
UNKNOWN = "not-known"  # answers that came with no application (a returned form with no reference)
TOTAL = "Total"
NOT_ANSWERED = "Not answered"
OTHER = "Another answer"
OFFER_STATES = (str(State.OFFERED), str(State.APPEAL_UPHELD))

Key = tuple[str, str, str, str]  # (group key, question key, answer, stage); totals use question ""
Hidden = Literal["fewer than 5", "not shown"]


def answers_of(question: Question) -> tuple[str, ...]:
    return (*question.choices, OTHER, NOT_ANSWERED)


def answer_for(question: Question, value: str | None) -> str:
    if not value:
        return NOT_ANSWERED
    return value if value in question.choices else OTHER


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UK), datetime(year + 1, 1, 1, tzinfo=UK)


# --- Counting ------------------------------------------------------------------------------------------


def _stages_reached(session: Session, application_ids: list[int]) -> tuple[set[int], set[int]]:
    offered: set[int] = set()
    joined: set[int] = set()
    for chunk_start in range(0, len(application_ids), 500):
        chunk = application_ids[chunk_start : chunk_start + 500]
        offered.update(
            session.scalars(
                select(Event.subject_id).where(
                    Event.subject_type == "application",
                    Event.subject_id.in_(chunk),
                    Event.to_state.in_(OFFER_STATES),
                )
            )
        )
        joined.update(
            session.scalars(select(Membership.application_id).where(Membership.application_id.in_(chunk)))
        )
    return offered, joined


def count(session: Session, year: int) -> Counter[Key]:
    """The raw counts of one year (by the date of applying), live answers and retained tallies together,
    before any protection. Group totals use question "" and answer TOTAL."""
    slugs = {g.id: g.slug for g in session.scalars(select(Group))}
    start, end = year_bounds(year)
    when = func.coalesce(Application.submitted_at, EqualityResponse.submitted_at)
    rows = session.execute(
        select(EqualityResponse, func.coalesce(Application.group_id, EqualityResponse.group_id))
        .outerjoin(Application, Application.id == EqualityResponse.application_id)
        .where(when >= start, when < end)
    ).all()
    ids = [r.application_id for r, _ in rows if r.application_id is not None]
    offered, joined = _stages_reached(session, ids)
    counts: Counter[Key] = Counter()
    for response, group_id in rows:
        group = slugs.get(group_id, UNKNOWN) if group_id is not None else UNKNOWN
        reached = ["applied"]
        if response.application_id in offered or response.application_id in joined:
            reached.append("offered")
        if response.application_id in joined:
            reached.append("joined")
        for stage in reached:
            counts[(group, "", TOTAL, stage)] += 1
            for question in MONITORING_QUESTIONS:
                counts[
                    (group, question.key, answer_for(question, getattr(response, question.key)), stage)
                ] += 1
    for tally in session.scalars(select(EqualityTally).where(EqualityTally.year == year)):
        group = slugs.get(tally.group_id, UNKNOWN) if tally.group_id is not None else UNKNOWN
        counts[(group, tally.question, tally.answer, tally.stage)] += tally.count
    return counts


# --- Protection ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """total = parts (+ a difference that is never published, for the stage lines)."""

    total: Key
    parts: tuple[Key, ...]
    unpublished: bool = False


def lines(groups: Iterable[str]) -> list[Line]:
    groups = tuple(groups)
    cells: list[tuple[str, str]] = [("", TOTAL)] + [
        (q.key, a) for q in MONITORING_QUESTIONS for a in answers_of(q)
    ]
    found: list[Line] = []
    for stage in STAGES:
        for group in (*groups, ALL):
            for question in MONITORING_QUESTIONS:
                found.append(
                    Line(
                        (group, "", TOTAL, stage),
                        tuple((group, question.key, a, stage) for a in answers_of(question)),
                    )
                )
        for key, answer in cells:
            found.append(Line((ALL, key, answer, stage), tuple((g, key, answer, stage) for g in groups)))
    for group in (*groups, ALL):
        for key, answer in cells:
            for wider, narrower in pairwise(STAGES):
                found.append(
                    Line(
                        (group, key, answer, wider),
                        ((group, key, answer, narrower),),
                        unpublished=True,
                    )
                )
    return found


def _leaks(all_lines: list[Line], values: Counter[Key], hidden: dict[Key, Hidden]) -> list[Line]:
    """Play the person subtracting: work out every hidden cell that some line pins down (and use it on the
    other lines), and return each line that gives away a number from 1 to 4."""
    worked_out: set[Key] = set()
    leaking: dict[int, Line] = {}
    progress = True
    while progress:
        progress = False
        for index, line in enumerate(all_lines):
            unknown = [k for k in (line.total, *line.parts) if k in hidden and k not in worked_out]
            if len(unknown) + line.unpublished == 1:
                if line.unpublished:  # only the difference between two stages is unknown
                    revealed = values[line.total] - values[line.parts[0]]
                else:
                    worked_out.add(unknown[0])
                    revealed, progress = values[unknown[0]], True
            elif unknown and line.total not in unknown:  # the sum of the unknown parts is known
                revealed = values[line.total] - sum(values[p] for p in line.parts if p not in unknown)
            else:
                continue
            if 0 < revealed < THRESHOLD:
                leaking[index] = line
    return list(leaking.values())


def protect(values: Counter[Key], groups: Iterable[str]) -> dict[Key, Hidden]:
    """Which cells are hidden, and why. Every cell on every line is considered, zero counts included."""
    all_lines = lines(groups)
    keys = {line.total for line in all_lines} | {p for line in all_lines for p in line.parts}
    hidden: dict[Key, Hidden] = {k: "fewer than 5" for k in keys if values[k] < THRESHOLD}
    while leaking := _leaks(all_lines, values, hidden):
        for line in leaking:
            shown = [p for p in line.parts if p not in hidden] or [
                k for k in (line.total,) if k not in hidden
            ]
            if not shown:  # everything on the line is hidden yet worked out elsewhere: hide its neighbours
                near = {
                    k
                    for other in all_lines
                    if {other.total, *other.parts} & {line.total, *line.parts}
                    for k in (other.total, *other.parts)
                }
                shown = [k for k in near if k not in hidden]
            if not shown:
                return {k: hidden.get(k, "not shown") for k in keys}
            cell = min(shown, key=lambda k: (values[k], k))
            hidden[cell] = "not shown"
    return hidden


def with_totals(counts: Counter[Key]) -> Counter[Key]:
    """Add the "all groups" cells (sums over the groups)."""
    values = Counter(counts)
    for (_group, question, answer, stage), n in counts.items():
        values[(ALL, question, answer, stage)] += n
    return values


# --- The report ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: int | None  # None when hidden
    hidden: Hidden | None = None

    @property
    def text(self) -> str:
        return self.hidden or str(self.value)


@dataclass(frozen=True)
class Row:
    answer: str
    stages: tuple[Cell, ...]  # applied, offered, joined
    applied_last_year: Cell
    share: float | None  # of this year's applicants, when both numbers are shown
    share_last_year: float | None


@dataclass(frozen=True)
class Table:
    question: Question
    rows: tuple[Row, ...]
    total: Row


@dataclass(frozen=True)
class Report:
    year: int
    group: str  # a slug, ALL or UNKNOWN
    group_name: str
    tables: tuple[Table, ...]


class _Year:
    def __init__(self, session: Session, year: int, groups: list[str]) -> None:
        self.values = with_totals(count(session, year))
        self.hidden = protect(self.values, groups)

    def cell(self, key: Key) -> Cell:
        if key in self.hidden:
            return Cell(None, self.hidden[key])
        return Cell(self.values[key])


def group_choices(session: Session) -> list[tuple[str, str]]:
    choices = [(ALL, "All groups")]
    choices += [(g.slug, g.name) for g in session.scalars(select(Group).order_by(Group.position))]
    return [*choices, (UNKNOWN, "Group not known (forms returned without a reference)")]


def _share(part: Cell, whole: Cell) -> float | None:
    if part.value is None or not whole.value:
        return None
    return part.value / whole.value


def build(session: Session, year: int, group: str) -> Report:
    names = dict(group_choices(session))
    if group not in names:
        raise KeyError(group)
    slugs = [slug for slug in names if slug != ALL]
    this, last = _Year(session, year, slugs), _Year(session, year - 1, slugs)

    def row(question: str, answer: str) -> Row:
        stages = tuple(this.cell((group, question, answer, s)) for s in STAGES)
        earlier = last.cell((group, question, answer, "applied"))
        return Row(
            answer,
            stages,
            earlier,
            _share(stages[0], this.cell((group, "", TOTAL, "applied"))),
            _share(earlier, last.cell((group, "", TOTAL, "applied"))),
        )

    total = row("", TOTAL)
    tables = tuple(Table(q, tuple(row(q.key, a) for a in answers_of(q)), total) for q in MONITORING_QUESTIONS)
    return Report(year, group, names[group], tables)


def viewed(session: Session, user: StaffUser, report: Report, how: str) -> None:
    """Every look at the report is on the record: who, when, which year and group, and how."""
    events.record(
        session,
        staff(user),
        "equality report viewed",
        events.Subject("report"),
        detail={"year": report.year, "group": report.group, "as": how},
    )


def csv_text(report: Report) -> str:
    out = io.StringIO()
    writer = spreadsheet_writer(out)
    writer.writerow(
        [
            "Group",
            "Question",
            "Answer",
            *(f"{STAGE_NAMES[s]} {report.year}" for s in STAGES),
            f"Applied {report.year - 1}",
        ]
    )
    for table in report.tables:
        for row in (*table.rows, table.total):
            cells = [report.group_name, table.question.label, row.answer, *(c.text for c in row.stages)]
            writer.writerow([safe_cell(c) for c in [*cells, row.applied_last_year.text]])
    return out.getvalue()


def this_year() -> int:
    return now().astimezone(UK).year
