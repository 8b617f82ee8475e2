"""Decisions with two sign-offs: one of the group's deciders (the Chair or the Police Coordinator)
proposes an outcome with a reason; the other confirms it (the decision takes effect and the letter is sent)
or sets it aside (the review goes on)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import workflow
from webapp.clock import now, uk_time
from webapp.models import Application, Decision, DecisionStatus, Event, Group, Referral, StaffUser
from webapp.services import InputError, letters, required_text, transitions
from webapp.services.actors import staff
from webapp.workflow import Action, Context, Outcome, Role


def _newest_decision(session: Session, application: Application, status: DecisionStatus) -> Decision | None:
    return session.scalar(
        select(Decision)
        .where(Decision.application_id == application.id, Decision.status == status)
        .order_by(Decision.id.desc())
        .limit(1)
    )


def pending_decision(session: Session, application: Application) -> Decision | None:
    """The proposal waiting for the group's second decider, if any."""
    return _newest_decision(session, application, DecisionStatus.PROPOSED)


def latest_decision(session: Session, application: Application) -> Decision | None:
    """The decision that took effect last."""
    return _newest_decision(session, application, DecisionStatus.CONFIRMED)


def referral_groups(session: Session, application: Application) -> list[Group]:
    """Groups an applicant may be referred to: open to applicants, and not the one they applied to."""
    return list(
        session.scalars(
            select(Group)
            .where(Group.open_to_applicants.is_(True), Group.id != application.group_id)
            .order_by(Group.position)
        )
    )


def _decider_role(roles: frozenset[Role], other_than: Role | None = None) -> Role:
    for role in (Role.CHAIR, Role.POLICE_COORDINATOR):
        if role in roles and role != other_than:
            return role
    return Role.CHAIR  # not a decider: transitions.apply refuses before this matters


def propose_decision(
    session: Session,
    application: Application,
    user: StaffUser,
    *,
    outcome: Outcome | None,
    reason: str,
    referred_group_id: int | None = None,
) -> Decision:
    """The first sign-off. The decision takes effect only when the group's other decider confirms it."""
    if outcome is None:
        raise InputError("Choose an outcome", "outcome")
    reason = required_text(reason, "reason", "Enter the reason for the decision")
    referred = None
    if outcome == Outcome.REFER:
        allowed = {g.id: g for g in referral_groups(session, application)}
        referred = allowed.get(referred_group_id or -1)
        if referred is None:
            raise InputError("Choose the group to refer the applicant to", "referred_group")
    actor = staff(user)
    transitions.apply(
        session,
        application,
        Action.PROPOSE_DECISION,
        actor,
        Context(actor_id=user.id, outcome=outcome),
        detail={"outcome": str(outcome), "referred_group": referred.slug if referred else None},
    )
    decision = Decision(
        application_id=application.id,
        outcome=outcome,
        reason=reason,
        referred_group_id=referred.id if referred else None,
        status=DecisionStatus.PROPOSED,
        proposed_by_id=user.id,
        proposed_role=_decider_role(actor.roles_for(application.group_id)),
        proposed_at=now(),
    )
    session.add(decision)
    session.flush()
    return decision


def confirm_decision(session: Session, application: Application, user: StaffUser) -> Decision:
    """The second sign-off, by the group's other decider: the decision takes effect and is sent."""
    decision = pending_decision(session, application)
    if decision is None:
        raise workflow.NotAllowed("There is no proposed decision to confirm.")
    actor = staff(user)
    transitions.apply(
        session,
        application,
        Action.CONFIRM_DECISION,
        actor,
        Context(
            actor_id=user.id,
            outcome=decision.outcome,
            proposer_id=decision.proposed_by_id,
            proposer_role=decision.proposed_role,
        ),
        detail={"outcome": str(decision.outcome), "decision_id": decision.id},
    )
    decision.status = DecisionStatus.CONFIRMED
    decision.confirmed_by_id = user.id
    roles = actor.roles_for(application.group_id)
    decision.confirmed_role = _decider_role(roles, decision.proposed_role)
    decision.confirmed_at = now()
    referred = session.get(Group, decision.referred_group_id) if decision.referred_group_id else None
    if referred is not None:
        session.add(Referral(from_application_id=application.id, to_group_id=referred.id, created_at=now()))
    template, subject, context = _letter(session, application, decision)
    letters.send_letter(session, application, template, subject, **context)
    return decision


def _letter(
    session: Session, application: Application, decision: Decision
) -> tuple[str, str, dict[str, Any]]:
    """The decision's letter: its wording, the email's subject, and what the wording is given."""
    referred = session.get(Group, decision.referred_group_id) if decision.referred_group_id else None
    unsuccessful = decision.outcome == Outcome.UNSUCCESSFUL
    context = {
        "decision": decision,
        "referred": referred,
        "appeal_by": uk_time(appeal_deadline(decision), language=application.language)
        if unsuccessful
        else "",
    }
    subject = lazy_gettext("Decision on your application %(reference)s", reference=application.reference)
    return f"decision_{decision.outcome}", subject, context


def preview_letter(session: Session, application: Application) -> letters.Preview | None:
    """The letter the proposed decision would send, before the second decider agrees and sends it."""
    decision = pending_decision(session, application)
    if decision is None:
        return None
    template, _subject, context = _letter(session, application, decision)
    return letters.preview(session, application, template, **context)


def reject_proposal(session: Session, application: Application, user: StaffUser, reason: str) -> None:
    """The other decider does not agree: the proposal is set aside and the review goes on."""
    decision = pending_decision(session, application)
    if decision is None:
        raise workflow.NotAllowed("There is no proposed decision.")
    reason = required_text(
        reason, "reject_reason", "Say why you do not agree, for the person who proposed it"
    )
    transitions.apply(
        session,
        application,
        Action.REJECT_PROPOSAL,
        staff(user),
        detail={"decision_id": decision.id, "reason": reason},
    )
    decision.status = DecisionStatus.REJECTED


@dataclass(frozen=True)
class SetAside:
    """A proposal the other decider did not agree with: who, when and why, for the proposer to read."""

    decision: Decision
    by_label: str  # the event log's label for who set it aside ("staff:12")
    at: datetime
    reason: str


def set_aside(session: Session, application: Application) -> SetAside | None:
    """The last proposal set aside, while nothing has been proposed since."""
    decision = session.scalar(
        select(Decision)
        .where(Decision.application_id == application.id)
        .order_by(Decision.id.desc())
        .limit(1)
    )
    if decision is None or decision.status != DecisionStatus.REJECTED:
        return None
    event = session.scalar(
        select(Event)
        .where(
            Event.subject_type == "application",
            Event.subject_id == application.id,
            Event.action == str(Action.REJECT_PROPOSAL),
        )
        .order_by(Event.seq.desc())
        .limit(1)
    )
    if event is None:
        return None
    return SetAside(decision, event.actor, event.at, str(event.detail.get("reason", "")))


def appeal_deadline(decision: Decision) -> datetime:
    """The last moment to appeal a decision: IAG_APPEAL_DAYS from when it took effect."""
    return (decision.confirmed_at or now()) + timedelta(days=current_app.config["APPEAL_DAYS"])
