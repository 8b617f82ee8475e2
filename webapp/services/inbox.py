"""The staff inbox: filters, counts and keyset pagination (fast however deep the page), oldest waiting
first, only over the groups the user serves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, false, func, select, true, tuple_
from sqlalchemy.orm import Session, selectinload

from webapp.clock import now
from webapp.models import Applicant, Application, Group, Source, StaffRole, StaffUser
from webapp.services import access, search
from webapp.services.access import application_clause
from webapp.workflow import FINAL_STATES, GROUP_ROLES, State

PAGE_SIZE = 50


# The state filter's own choices besides each state: open cases (the default), finished ones, or all.
OPEN, FINISHED, ANY = "", "finished", "any"


@dataclass(frozen=True)
class Filters:
    state: str = OPEN  # OPEN, FINISHED, ANY or one state
    group: str = ""  # a group's slug, or "none" for applications whose group is not known
    source: str = ""
    assignee: str = ""  # "me", "nobody" or ""
    age: str = ""  # waiting at least this many days in the current state: "7", "14", "28"
    q: str = ""  # search: a reference, a name, or words from an email
    language: str = ""  # the person's language ("en", "cy"), where the force offers more than one
    after: str = ""  # the cursor: "<state_changed_at ISO>|<id>" of the last row of the previous page


@dataclass
class Page:
    applications: list[Application]
    counts: dict[str, int]
    next_cursor: str | None
    total: int
    search_truncated: bool = False

    @property
    def open_count(self) -> int:
        return sum(n for state, n in self.counts.items() if _counts_in(OPEN, state))

    @property
    def finished_count(self) -> int:
        return sum(n for state, n in self.counts.items() if _counts_in(FINISHED, state))


AGES = ("7", "14", "28")


def _base(session: Session, user: StaffUser, filters: Filters) -> Select:
    query = select(Application).where(Application.state != State.DRAFT, application_clause(user))
    if filters.group == "none":
        query = query.where(Application.group_id.is_(None))
    elif filters.group:
        query = query.join(Group, Application.group_id == Group.id).where(Group.slug == filters.group)
    if filters.source:
        # A value from the address bar: only a real source can match (an unknown one matches nothing).
        known = filters.source in {str(source) for source in Source}
        query = query.where(Application.source == filters.source if known else false())
    if filters.language:
        speakers = select(Applicant.id).where(Applicant.language == filters.language[:2])
        query = query.where(Application.applicant_id.in_(speakers))
    if filters.assignee == "me":
        query = query.where(Application.assigned_to_id == user.id)
    elif filters.assignee == "nobody":
        query = query.where(Application.assigned_to_id.is_(None))
    if filters.age in AGES:
        query = query.where(Application.state_changed_at <= now() - timedelta(days=int(filters.age)))
    return query


def _searched(session: Session, query: Select, filters: Filters) -> tuple[Select, bool]:
    """The query narrowed to the search's matches (if any), and whether the matches were cut short."""
    if not filters.q.strip():
        return query, False
    found = search.application_ids(session, filters.q)
    if found is None:
        return query.where(false()), False
    return query.where(search.among(session, Application.id, found.application_ids)), found.truncated


def page(session: Session, user: StaffUser, filters: Filters) -> Page:
    base, truncated = _searched(session, _base(session, user, filters), filters)
    by_state = base.with_only_columns(Application.state, func.count()).group_by(Application.state)
    counts = {str(state): n for state, n in session.execute(by_state)}
    query = base.where(_in_state(filters.state))
    if filters.after:
        stamp, _, last_id = filters.after.rpartition("|")
        try:
            cursor = (datetime.fromisoformat(stamp), int(last_id))
        except ValueError:
            cursor = None  # a mangled link: start from the first page
        if cursor and cursor[0].tzinfo is None:
            cursor = None
        if cursor:
            query = query.where(tuple_(Application.state_changed_at, Application.id) > tuple_(*cursor))
    query = query.order_by(Application.state_changed_at, Application.id).limit(PAGE_SIZE + 1)
    # The page shows each row's applicant, group and assignee: load them in three queries, not 150.
    eager = (selectinload(Application.applicant), selectinload(Application.group))
    rows = list(session.scalars(query.options(*eager, selectinload(Application.assigned_to))))
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        next_cursor = f"{last.state_changed_at.isoformat()}|{last.id}"
    total = sum(n for state, n in counts.items() if _counts_in(filters.state, state))
    return Page(rows, counts, next_cursor, total, truncated)


def _counts_in(choice: str, state: str) -> bool:
    if choice == ANY:
        return True
    if choice in (OPEN, FINISHED):
        return (state in FINAL_STATES) == (choice == FINISHED)
    return state == choice


def _in_state(choice: str) -> ColumnElement[bool]:
    """Finished cases (member, referred, withdrawn, appeal dismissed) are left out unless asked for."""
    if choice == ANY:
        return true()
    if choice == OPEN:
        return Application.state.not_in(FINAL_STATES)
    if choice == FINISHED:
        return Application.state.in_(FINAL_STATES)
    if choice not in {str(state) for state in State}:
        return false()  # a mangled address: nothing matches, rather than an error
    return Application.state == choice


def visible_groups(session: Session, user: StaffUser) -> list[Group]:
    """The groups the inbox can be filtered by: those the user serves (every group for those who see all)."""
    seen = access.scope(user)
    query = select(Group).order_by(Group.position)
    if not (seen.everything or seen.appeals):
        query = query.where(Group.id.in_(seen.groups))
    return list(session.scalars(query))


def colleagues(session: Session, user: StaffUser) -> list[StaffUser]:
    """People work can be assigned to: active staff holding a group role in a group this user serves."""
    seen = access.scope(user)
    query = select(StaffUser).join(StaffRole).where(StaffUser.active.is_(True))
    query = query.where(StaffRole.role.in_([str(r) for r in GROUP_ROLES]))
    if not seen.everything:
        query = query.where(StaffRole.group_id.in_(seen.groups))
    return list(session.scalars(query.distinct().order_by(StaffUser.name)))
