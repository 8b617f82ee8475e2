"""The pipeline dashboard: how applications move through the groups a member of staff serves. Counts by
source and by state, the median days spent in each stage (from the event log), the items waiting longest,
and referrals between groups."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from webapp.clock import now
from webapp.models import Applicant, Application, Event, Group, Referral, StaffUser
from webapp.services import access
from webapp.workflow import State

WAITING = (
    State.SUBMITTED,
    State.IN_REVIEW,
    State.DISCUSSION_INVITED,
    State.DISCUSSION_HELD,
    State.DECISION_PROPOSED,
    State.APPEAL_LODGED,
    State.OFFERED,
    State.APPEAL_UPHELD,
    State.AGREEMENT_SENT,
)
STAGE_WINDOW_DAYS = 365
OLDEST = 10


@dataclass(frozen=True)
class Waiting:
    application: Application
    days: int


@dataclass(frozen=True)
class ReferralCount:
    from_group: str
    to_group: str
    waiting: int
    consented: int
    refused: int


@dataclass(frozen=True)
class Dashboard:
    groups: list[Group]
    by_source: dict[str, dict[str, int]]  # group name -> source -> count
    by_state: dict[str, dict[str, int]]  # group name -> state -> count
    stage_days: dict[str, tuple[float, int]]  # state -> (median days, how many stays measured)
    oldest: list[Waiting]
    referrals: list[ReferralCount]
    by_language: dict[str, LanguageTimes]  # the person's language -> how soon they were answered


@dataclass(frozen=True)
class LanguageTimes:
    """No less favourable treatment, measured: for the people who chose (or wrote in) a language, the
    median days from their application to the first answer from a person, and to the decision."""

    applications: int
    first_answer: tuple[float, int] | None  # (median days, how many answered)
    decision: tuple[float, int] | None


# A person's answer: staff wrote, invited them to talk, or sent the decision (acknowledgements are automatic).
ANSWERS = ("wrote to the applicant", "invite to discussion", "confirm decision")


def _stage_days(session: Session, group_ids: list[int]) -> dict[str, tuple[float, int]]:
    """Median days in each state over the last year: each state change ends a stay in the state before."""
    since = now() - timedelta(days=STAGE_WINDOW_DAYS)
    rows = session.execute(
        select(Event.subject_id, Event.at, Event.from_state, Event.to_state)
        .join(Application, Application.id == Event.subject_id)
        .where(
            Event.subject_type == "application",
            Event.to_state.is_not(None),
            Event.at >= since,
            Application.group_id.in_(group_ids),
        )
        .order_by(Event.subject_id, Event.seq)
    ).all()
    entered: dict[int, tuple[str, datetime]] = {}
    stays: dict[str, list[float]] = defaultdict(list)
    for application_id, at, from_state, to_state in rows:
        if application_id is None or to_state is None:  # excluded by the query; for the type checker
            continue
        previous = entered.get(application_id)
        if previous is not None and previous[0] == from_state and from_state != to_state:
            stays[from_state].append((at - previous[1]).total_seconds() / 86400)
        entered[application_id] = (to_state, at)
    return {state: (round(median(days), 1), len(days)) for state, days in stays.items()}


def _by_language(session: Session, group_ids: list[int]) -> dict[str, LanguageTimes]:
    since = now() - timedelta(days=STAGE_WINDOW_DAYS)
    sent: dict[int, datetime] = {
        application_id: at
        for application_id, at in session.execute(
            select(Application.id, Application.submitted_at).where(
                Application.group_id.in_(group_ids), Application.submitted_at >= since
            )
        )
        if at is not None
    }
    language = dict(
        session.execute(
            select(Application.id, Applicant.language)
            .join(Applicant, Applicant.id == Application.applicant_id)
            .where(Application.id.in_(sent))
        ).all()
    )
    first: dict[int, datetime] = {}
    decided: dict[int, datetime] = {}
    for application_id, action, at in session.execute(
        select(Event.subject_id, Event.action, Event.at)
        .where(Event.subject_type == "application", Event.subject_id.in_(sent), Event.action.in_(ANSWERS))
        .order_by(Event.seq)
    ):
        if application_id is None:  # excluded by the query; for the type checker
            continue
        first.setdefault(application_id, at)
        if action == "confirm decision":
            decided.setdefault(application_id, at)

    def days(done: dict[int, datetime], ids: list[int]) -> tuple[float, int] | None:
        waits = [(done[i] - sent[i]).total_seconds() / 86400 for i in ids if i in done]
        return (round(median(waits), 1), len(waits)) if waits else None

    found: dict[str, LanguageTimes] = {}
    for code in sorted(set(language.values())):
        ids = [i for i, lang in language.items() if lang == code]
        found[code] = LanguageTimes(len(ids), days(first, ids), days(decided, ids))
    return found


def build(session: Session, user: StaffUser) -> Dashboard:
    groups = access.served_groups(session, user)
    ids = [g.id for g in groups]
    names = {g.id: g.name for g in groups}
    by_source: dict[str, dict[str, int]] = {g.name: {} for g in groups}
    by_state: dict[str, dict[str, int]] = {g.name: {} for g in groups}
    live = (Application.group_id.in_(ids), Application.state != State.DRAFT)
    for group_id, source, n in session.execute(
        select(Application.group_id, Application.source, func.count())
        .where(*live)
        .group_by(Application.group_id, Application.source)
    ):
        by_source[names[cast(int, group_id)]][str(source)] = n  # group_id is among `ids`
    for group_id, state, n in session.execute(
        select(Application.group_id, Application.state, func.count())
        .where(*live)
        .group_by(Application.group_id, Application.state)
    ):
        by_state[names[cast(int, group_id)]][str(state)] = n
    oldest = [
        Waiting(a, (now() - a.state_changed_at).days)
        for a in session.scalars(
            select(Application)
            .where(Application.group_id.in_(ids), Application.state.in_(WAITING))
            .order_by(Application.state_changed_at, Application.id)
            .limit(OLDEST)
        )
    ]
    origin = aliased(Application)
    target = aliased(Group)
    source_group = aliased(Group)
    referrals = [
        ReferralCount(f, t, waiting, consented, refused)
        for f, t, waiting, consented, refused in session.execute(
            select(
                source_group.name,
                target.name,
                func.count().filter(
                    Referral.consent_given_at.is_(None), Referral.consent_refused_at.is_(None)
                ),
                func.count().filter(Referral.consent_given_at.is_not(None)),
                func.count().filter(Referral.consent_refused_at.is_not(None)),
            )
            .join(origin, origin.id == Referral.from_application_id)
            .join(source_group, source_group.id == origin.group_id)
            .join(target, target.id == Referral.to_group_id)
            .where((origin.group_id.in_(ids)) | (Referral.to_group_id.in_(ids)))
            .group_by(source_group.name, target.name)
            .order_by(source_group.name, target.name)
        )
    ]
    return Dashboard(
        groups, by_source, by_state, _stage_days(session, ids), oldest, referrals, _by_language(session, ids)
    )
