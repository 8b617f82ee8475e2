"""What waits for one person, worked out from where each case stands (the workflow says who may act), and
which cases have mail they have not read since they last opened them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.clock import now, working_days_before
from webapp.models import Application, CaseView, EmailKind, InboundEmail, StaffUser
from webapp.services import access, appeals, decisions
from webapp.services.case_page import steps
from webapp.services.news import AWAITING_GROUP
from webapp.workflow import FINAL_STATES, Action, Role, State

MOST = 200  # cases looked at for one person (oldest first): beyond that, the inbox's filters help
UNREAD_KINDS = (EmailKind.NEW_APPLICATION, EmailKind.REPLY)


@dataclass(frozen=True)
class Waiting:
    application: Application
    why: tuple[str, ...]


def unread(session: Session, user: StaffUser, application_ids: Iterable[int]) -> set[int]:
    """Which of these cases have mail that came after this person last opened them (or never opened)."""
    ids = list(application_ids)
    if not ids:
        return set()
    latest: dict[int, datetime] = {
        app_id: at
        for app_id, at in session.execute(
            select(InboundEmail.application_id, func.max(InboundEmail.received_at))
            .where(InboundEmail.application_id.in_(ids), InboundEmail.kind.in_(UNREAD_KINDS))
            .group_by(InboundEmail.application_id)
        )
        if app_id is not None
    }
    seen: dict[int, datetime] = {
        app_id: at
        for app_id, at in session.execute(
            select(CaseView.application_id, CaseView.seen_at).where(
                CaseView.user_id == user.id, CaseView.application_id.in_(list(latest))
            )
        )
    }
    return {app_id for app_id, at in latest.items() if app_id not in seen or at > seen[app_id]}


def opened(session: Session, user: StaffUser, application: Application) -> datetime | None:
    """This person opened the case now. Returns when they last had before (None: never), so the page can
    mark what is new to them."""
    view = session.get(CaseView, (user.id, application.id))
    before = view.seen_at if view else None
    if view is None:
        session.add(CaseView(user_id=user.id, application_id=application.id, seen_at=now()))
    else:
        view.seen_at = now()
    return before


def for_user(session: Session, user: StaffUser) -> list[Waiting]:
    """The cases this person can move on now, or that have mail for them, oldest first, each with why."""
    cases = list(
        session.scalars(
            select(Application)
            .where(
                Application.state.not_in([*FINAL_STATES, State.DRAFT]),
                access.application_clause(user),
            )
            .order_by(Application.state_changed_at, Application.id)
            .limit(MOST)
        )
    )
    mail = unread(session, user, [case.id for case in cases])
    late_before = working_days_before(now(), current_app.extensions["deployment"].reply_working_days)
    found = []
    for case in cases:
        why = _why(session, user, case, case.id in mail, late_before)
        if why:
            found.append(Waiting(case, why))
    return found


def _why(
    session: Session, user: StaffUser, case: Application, has_mail: bool, late_before: datetime
) -> tuple[str, ...]:
    mine = case.assigned_to_id in (None, user.id)
    pending = decisions.pending_decision(session, case) if case.state == State.DECISION_PROPOSED else None
    appeal = appeals.current_appeal(session, case) if case.state == State.APPEAL_LODGED else None
    can = steps(case, user, pending, appeal=appeal)
    why = []
    if Action.CONFIRM_DECISION in can:
        why.append("A decision waits for you to agree or not")
    if Action.START_REVIEW in can and mine:
        why.append("New: start the review")
    if Action.PROPOSE_APPEAL_OUTCOME in can:
        why.append("An appeal to decide")
    if Action.UPHOLD_APPEAL in can:
        why.append("An appeal waits for you to agree or not")
    if (has_mail and mine and access.serves(user, case.group_id)) or (
        has_mail and case.assigned_to_id == user.id
    ):
        why.append("Mail you have not read")
    late = case.state in AWAITING_GROUP and case.submitted_at is not None and case.submitted_at < late_before
    if late and mine and access.serves(user, case.group_id):
        why.append("Older than the reply time")
    return tuple(why)


def count(session: Session, user: StaffUser) -> int:
    return len(for_user(session, user))


def triage_count(session: Session, user: StaffUser) -> int:
    if not access.holds(user, Role.ADMIN_TEAM, Role.SYSTEM_ADMIN):
        return 0
    return session.scalar(select(func.count()).where(InboundEmail.kind == EmailKind.NEEDS_TRIAGE)) or 0
