"""Telling staff what needs them. Each piece of news goes to the people it concerns, each of whom chooses
per kind to hear at once, in a daily digest, or not at all. A notification names the reference, the group
and what happened, and links to the case: never an applicant's answers, never equality data.

State changes are told from `transitions.apply` (the one place they happen); replies and triage from the
mail poller; cases older than the reply time by the daily `send-digests` command."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now, working_days_before
from webapp.models import (
    Application,
    Delivery,
    NewsKind,
    Notification,
    NotificationChoice,
    StaffRole,
    StaffUser,
)
from webapp.services import notify, wording
from webapp.services.actors import Actor
from webapp.workflow import APPEAL_DECIDERS, APPEALS_PANEL, DECIDERS, GROUP_ROLES, Action, Role, State

KINDS: dict[NewsKind, str] = {
    NewsKind.NEW_APPLICATION: "A new application in my group",
    NewsKind.REPLY: "A reply on a case assigned to me (or in my group when nobody is assigned)",
    NewsKind.DECISION_WAITING: "A decision waiting for me as the other decider",
    NewsKind.PROPOSAL_NOT_AGREED: "My proposed decision not agreed",
    NewsKind.APPEAL_LODGED: "An appeal lodged (appeals panel)",
    NewsKind.AGREEMENT_SIGNED: "A confidentiality agreement signed (admin team)",
    NewsKind.TRIAGE_WAITING: "An email waiting in triage (admin team)",
    NewsKind.OVERDUE: "A case older than the reply time",
    NewsKind.MEMBER_LEFT: "A member of my group left it, from their own page",
    NewsKind.MEMBER_REPLIED: "A member replied to a message I sent the group",
    NewsKind.CALL_OUT_ANSWERED: "A member answered a call-out I opened",
    NewsKind.TERM_ENDING: "A member's term ending, and whether they want to continue",
    NewsKind.NOT_DELIVERED: "An email to an applicant or member that their address did not accept",
}
# Cases still waiting for the group to act: older than the reply time, they are overdue.
AWAITING_GROUP = frozenset(
    {
        State.SUBMITTED,
        State.IN_REVIEW,
        State.DISCUSSION_INVITED,
        State.DISCUSSION_HELD,
        State.DECISION_PROPOSED,
    }
)


def default_delivery(user: StaffUser) -> Delivery:
    """Volunteer chairs look in once a week: a digest unless they choose otherwise; everyone else at once."""
    roles = {role.role for role in user.roles}
    return Delivery.DIGEST if roles and roles <= {Role.CHAIR} else Delivery.IMMEDIATE


def choices(session: Session, user: StaffUser) -> dict[NewsKind, Delivery]:
    chosen = {
        row.kind: row.delivery
        for row in session.scalars(select(NotificationChoice).where(NotificationChoice.user_id == user.id))
    }
    return {kind: chosen.get(kind, default_delivery(user)) for kind in KINDS}


def choose(session: Session, user: StaffUser, chosen: dict[NewsKind, Delivery]) -> None:
    rows = {
        row.kind: row
        for row in session.scalars(select(NotificationChoice).where(NotificationChoice.user_id == user.id))
    }
    for kind, delivery in chosen.items():
        row = rows.get(kind)
        if row is None:
            session.add(NotificationChoice(user_id=user.id, kind=kind, delivery=delivery))
        else:
            row.delivery = delivery


@dataclass(frozen=True)
class News:
    kind: NewsKind
    summary: str
    application: Application | None = None
    email_id: int | None = None
    once_key: str | None = None  # the same news for the same person only once
    path: str | None = None  # the staff page it is about, when it is not a case or triage


def tell(session: Session, news: News, people: Iterable[StaffUser]) -> int:
    """Record the news for each person (unless they chose "off"); email it now to those who chose that.
    Returns how many were told."""
    told = 0
    for person in {p.id: p for p in people if p.active}.values():
        delivery = _choice_of(session, person, news.kind)
        if delivery == Delivery.OFF:
            continue
        key = f"{news.once_key}:{person.id}" if news.once_key else None
        if key and session.scalar(select(Notification.id).where(Notification.once_key == key)):
            continue
        notification = Notification(
            user_id=person.id,
            kind=news.kind,
            delivery=delivery,
            application_id=news.application.id if news.application else None,
            email_id=news.email_id,
            path=news.path,
            summary=news.summary[:500],
            once_key=key,
            created_at=now(),
        )
        session.add(notification)
        if delivery == Delivery.IMMEDIATE:
            _email_now(session, person, notification, news)
        told += 1
    return told


def _choice_of(session: Session, person: StaffUser, kind: NewsKind) -> Delivery:
    known = session.info.setdefault("news_choices", {})
    if person.id not in known:
        known[person.id] = choices(session, person)
    return known[person.id][kind]


def _email_now(session: Session, person: StaffUser, notification: Notification, news: News) -> None:
    notification.emailed_at = now()
    with wording.rendering():
        notify.email(
            session,
            "staff_notification",
            to=person.email,
            subject=_subject(news),
            purpose="notification",
            person=person,
            news=news,
            case_path=_case_path(news),
        )


def _subject(news: News) -> str:
    reference = f": {news.application.reference}" if news.application else ""
    return f"IAG {news.kind}{reference}"


def _case_path(news: News) -> str:
    from flask import url_for

    if news.path is not None:
        return news.path
    if news.application is None:
        return url_for("review.triage_list")
    return url_for("review.application_page", application_id=news.application.id)


# --- Who is told --------------------------------------------------------------------------------------


def holders(session: Session, roles: Iterable[Role], group_id: int | None = None) -> list[StaffUser]:
    """Active staff holding one of `roles` (in `group_id`, when given). Remembered for the session: a batch
    of mail asks once per group."""
    wanted = frozenset(roles)
    key = (wanted, group_id)
    known = session.info.setdefault("news_holders", {})
    if key not in known:
        query = (
            select(StaffUser).join(StaffRole).where(StaffUser.active.is_(True), StaffRole.role.in_(wanted))
        )
        if group_id is not None:
            query = query.where(StaffRole.group_id == group_id)
        known[key] = list(session.scalars(query.distinct().order_by(StaffUser.id)))
    return known[key]


def _group_name(application: Application) -> str:
    return application.group.name if application.group else "group not known"


def after_transition(
    session: Session, application: Application, action: Action, actor: Actor, detail: dict[str, Any]
) -> None:
    """The news a state change makes, for those it concerns (never the person who made it)."""
    ref, group = application.reference, _group_name(application)
    news, people = None, []
    if action == Action.SUBMIT and application.group_id is not None:
        source = detail.get("source", str(application.source))
        news = News(NewsKind.NEW_APPLICATION, f"New application {ref} to the {group} ({source})", application)
        people = holders(session, GROUP_ROLES, application.group_id)
    elif action == Action.SUBMIT:
        news = News(NewsKind.TRIAGE_WAITING, f"New application {ref} needs its group set", application)
        people = holders(session, {Role.ADMIN_TEAM})
    elif action == Action.PROPOSE_DECISION:
        outcome = detail.get("outcome", "a decision")
        news = News(
            NewsKind.DECISION_WAITING, f"A decision on {ref} ({group}) waits for you: {outcome}", application
        )
        mine = actor.roles_for(application.group_id) & DECIDERS
        people = [p for p in holders(session, DECIDERS - mine or DECIDERS, application.group_id)]
    elif action == Action.PROPOSE_APPEAL_OUTCOME:
        outcome = detail.get("outcome", "an outcome")
        news = News(
            NewsKind.DECISION_WAITING, f"The appeal on {ref} ({group}) waits for you: {outcome}", application
        )
        mine = actor.roles_for(application.group_id) & APPEAL_DECIDERS
        people = holders(session, APPEAL_DECIDERS - mine or APPEAL_DECIDERS)
    elif action in (Action.REJECT_PROPOSAL, Action.REJECT_APPEAL_PROPOSAL):
        reason = str(detail.get("reason", ""))[:300]
        news = News(
            NewsKind.PROPOSAL_NOT_AGREED,
            f"Your proposal on {ref} ({group}) was not agreed: {reason}",
            application,
        )
        people = _proposer(session, application)
    elif action == Action.LODGE_APPEAL:
        news = News(NewsKind.APPEAL_LODGED, f"An appeal was lodged on {ref} ({group})", application)
        people = holders(session, APPEALS_PANEL)
    elif action == Action.SIGN_AGREEMENT:
        news = News(
            NewsKind.AGREEMENT_SIGNED, f"{ref} ({group}) signed the confidentiality agreement", application
        )
        people = holders(session, {Role.ADMIN_TEAM}, application.group_id)
    if news is not None:
        tell(session, news, [p for p in people if p.id != actor.user_id])


def _proposer(session: Session, application: Application) -> list[StaffUser]:
    from webapp.services import appeals, decisions

    if application.state == State.APPEAL_LODGED:
        proposal = appeals.current_appeal(session, application)
        by = proposal.proposed_by_id if proposal else None
    else:
        pending = decisions.pending_decision(session, application)
        by = pending.proposed_by_id if pending else None
    return [session.get_one(StaffUser, by)] if by else []


def reply_arrived(session: Session, application: Application, email_id: int) -> None:
    """A reply on a case: for whoever it is assigned to, else the group's staff, else the admin team."""
    people = _case_people(session, application)
    summary = f"A reply on {application.reference} ({_group_name(application)})"
    tell(session, News(NewsKind.REPLY, summary, application, email_id), people)


def _case_people(session: Session, application: Application) -> list[StaffUser]:
    """Who hears of something arriving on a case: whoever it is assigned to, else the group's staff, else
    the admin team."""
    if application.assigned_to is not None:
        return [application.assigned_to]
    if application.group_id is not None:
        return holders(session, GROUP_ROLES, application.group_id)
    return holders(session, {Role.ADMIN_TEAM})


def not_delivered(session: Session, application: Application | None, email_id: int, to: str) -> None:
    """Our email could not be delivered: the case's staff (as for a reply), or the admin team, must find
    another way to reach the person."""
    if application is None:  # a member's
        people = [p for p in holders(session, {Role.ADMIN_TEAM}) if p.email.lower() != to.lower()]
        summary = f"Our email to {to} could not be delivered: the address did not accept it"
        news = News(
            NewsKind.NOT_DELIVERED, summary, None, email_id, once_key=f"not delivered:{to}:{email_id}"
        )
        tell(session, news, people)
        return
    people = _case_people(session, application)
    summary = (
        f"The applicant's address did not accept our email on {application.reference} "
        f"({_group_name(application)}): ask for another way to reach them"
    )
    tell(session, News(NewsKind.NOT_DELIVERED, summary, application, email_id), people)


def member_left(session: Session, application: Application, name: str) -> None:
    """A member left their group from their own page: for the group's Coordinator and Chair."""
    group = _group_name(application)
    people = holders(session, {Role.POLICE_COORDINATOR, Role.CHAIR}, application.group_id)
    tell(session, News(NewsKind.MEMBER_LEFT, f"{name} left the {group}", application), people)


def about_group_work(session: Session, kind: NewsKind, summary: str, user_id: int | None, path: str) -> None:
    """News of a group's work (a reply to a message, an answer to a call-out) for the member of staff who
    started it."""
    person = session.get(StaffUser, user_id) if user_id else None
    if person is not None:
        tell(session, News(kind, summary, path=path), [person])


def triage_waiting(session: Session, email_id: int, reason: str) -> None:
    summary = f"An email waits in triage: {reason[:200]}"
    tell(session, News(NewsKind.TRIAGE_WAITING, summary, None, email_id), holders(session, {Role.ADMIN_TEAM}))


# --- Daily: overdue cases and digests ------------------------------------------------------------------


def tell_overdue(session: Session) -> int:
    """Cases still waiting for their group after the reply time: their group's staff are told, once."""
    days = current_app.extensions["deployment"].reply_working_days
    before = working_days_before(now(), days)
    late = session.scalars(
        select(Application).where(
            Application.state.in_(AWAITING_GROUP),
            Application.submitted_at < before,
            Application.group_id.is_not(None),
        )
    )
    told = 0
    for application in late:
        summary = (
            f"{application.reference} ({_group_name(application)}) is older than the reply time of {days} "
            f"working days, and is {application.state}"
        )
        news = News(NewsKind.OVERDUE, summary, application, once_key=f"overdue:{application.reference}")
        told += tell(session, news, holders(session, GROUP_ROLES, application.group_id))
    return told


def send_digests(session: Session) -> int:
    """One email per person with the news gathered for their digest since the last one. Returns how many
    emails were queued."""
    waiting = session.scalars(
        select(Notification)
        .where(Notification.delivery == Delivery.DIGEST, Notification.emailed_at.is_(None))
        .order_by(Notification.user_id, Notification.created_at, Notification.id)
    )
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for notification in waiting:
        by_person[notification.user_id].append(notification)
    with wording.rendering():
        from flask import url_for

        for user_id, items in by_person.items():
            person = session.get_one(StaffUser, user_id)
            lines = [
                (
                    item.summary,
                    item.path
                    or (
                        url_for("review.application_page", application_id=item.application_id)
                        if item.application_id
                        else url_for("review.triage_list")
                    ),
                )
                for item in items
            ]
            notify.email(
                session,
                "staff_digest",
                to=person.email,
                subject=f"IAG: {len(items)} {'thing needs' if len(items) == 1 else 'things need'} you",
                purpose="digest",
                person=person,
                lines=lines,
            )
            for item in items:
                item.emailed_at = now()
    return len(by_person)
