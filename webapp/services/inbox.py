"""The staff inbox: filters, counts and keyset pagination (fast however deep the page), oldest waiting
first, only over the groups the user serves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session

from webapp.models import Application, Group, StaffUser
from webapp.services.actors import group_ids_served
from webapp.workflow import State

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    state: str = ""
    group: str = ""  # a group's slug
    source: str = ""
    assignee: str = ""  # "me", "nobody" or ""
    after: str = ""  # the cursor: "<state_changed_at ISO>|<id>" of the last row of the previous page


@dataclass
class Page:
    applications: list[Application]
    counts: dict[str, int]
    next_cursor: str | None
    total: int


def _base(user: StaffUser, filters: Filters) -> Select:
    query = select(Application).where(Application.state != State.DRAFT)
    served = group_ids_served(user)
    if served is not None:
        query = query.where(Application.group_id.in_(served))
    if filters.group:
        query = query.join(Group, Application.group_id == Group.id).where(Group.slug == filters.group)
    if filters.source:
        query = query.where(Application.source == filters.source)
    if filters.assignee == "me":
        query = query.where(Application.assigned_to_id == user.id)
    elif filters.assignee == "nobody":
        query = query.where(Application.assigned_to_id.is_(None))
    return query


def page(session: Session, user: StaffUser, filters: Filters) -> Page:
    base = _base(user, filters)
    by_state = base.with_only_columns(Application.state, func.count()).group_by(Application.state)
    counts = {str(state): n for state, n in session.execute(by_state)}
    query = base.where(Application.state == filters.state) if filters.state else base
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
    rows = list(
        session.scalars(query.order_by(Application.state_changed_at, Application.id).limit(PAGE_SIZE + 1))
    )
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        next_cursor = f"{last.state_changed_at.isoformat()}|{last.id}"
    total = counts.get(filters.state, 0) if filters.state else sum(counts.values())
    return Page(rows, counts, next_cursor, total)
