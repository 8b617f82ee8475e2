"""Appeals: an unsuccessful applicant may appeal within IAG_APPEAL_DAYS of the decision. Two people decide
it, as two decide first decisions: the Strategic IAG Chair or the Assistant Chief Constable proposes to
uphold it (back to an offer) or dismiss it, and the other agrees (the letter goes) or sets it aside."""

from __future__ import annotations

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import workflow
from webapp.clock import now
from webapp.models import Appeal, AppealOutcome, Application, StaffUser
from webapp.services import InputError, decisions, letters, required_text, transitions
from webapp.services.actors import APPLICANT, staff
from webapp.workflow import APPEAL_DECIDERS, Action, Context


def appeal_window_open(session: Session, application: Application) -> bool:
    decision = decisions.latest_decision(session, application)
    return decision is not None and now() <= decisions.appeal_deadline(decision)


def lodge_appeal(session: Session, application: Application, reasons: str) -> Appeal:
    reasons = required_text(reasons, "reasons", "Tell us why you think the decision should change")
    transitions.apply(
        session,
        application,
        Action.LODGE_APPEAL,
        APPLICANT,
        Context(appeal_window_open=appeal_window_open(session, application)),
    )
    appeal = Appeal(application_id=application.id, reasons=reasons, lodged_at=now())
    session.add(appeal)
    session.flush()
    letters.email_applicant(
        session,
        application,
        "appeal_received",
        lazy_gettext("We have received your appeal: %(reference)s", reference=application.reference),
    )
    return appeal


def current_appeal(session: Session, application: Application) -> Appeal | None:
    return session.scalar(
        select(Appeal).where(Appeal.application_id == application.id).order_by(Appeal.id.desc()).limit(1)
    )


def context(appeal: Appeal | None, user: StaffUser) -> Context:
    """What the workflow's two-person rule needs: who proposed, in which role."""
    return Context(
        actor_id=user.id,
        proposer_id=appeal.proposed_by_id if appeal else None,
        proposer_role=appeal.proposed_role if appeal else None,
    )


def propose_outcome(
    session: Session, application: Application, user: StaffUser, *, upheld: bool | None, reason: str
) -> Appeal:
    """One of the panel proposes to uphold or dismiss the appeal; nothing is sent until the other agrees."""
    if upheld is None:
        raise InputError("Choose whether to uphold or dismiss the appeal", "outcome")
    reason = required_text(reason, "reason", "Enter the reason, for the letter to the applicant")
    appeal = current_appeal(session, application)
    actor = staff(user)
    outcome = AppealOutcome.UPHELD if upheld else AppealOutcome.DISMISSED
    transitions.apply(
        session,
        application,
        Action.PROPOSE_APPEAL_OUTCOME,
        actor,
        context(appeal, user),
        detail={"outcome": str(outcome), "reason": reason},
    )
    assert appeal is not None  # the workflow allows this only with an appeal lodged
    held = actor.roles_for(application.group_id) & APPEAL_DECIDERS
    appeal.proposed_outcome, appeal.proposed_reason = outcome, reason
    appeal.proposed_by_id, appeal.proposed_at = user.id, now()
    appeal.proposed_role = min(held)  # one holding both roles still needs the other person to agree
    return appeal


def set_aside(session: Session, application: Application, user: StaffUser, reason: str) -> None:
    """The other decider does not agree: the proposal is set aside and the appeal waits for a new one."""
    reason = required_text(
        reason, "reject_reason", "Say why you do not agree, for the person who proposed it"
    )
    appeal = current_appeal(session, application)
    transitions.apply(
        session,
        application,
        Action.REJECT_APPEAL_PROPOSAL,
        staff(user),
        context(appeal, user),
        detail={"reason": reason},
    )
    assert appeal is not None
    appeal.proposed_outcome = appeal.proposed_by_id = appeal.proposed_role = appeal.proposed_at = None
    appeal.proposed_reason = ""


def confirm_outcome(session: Session, application: Application, user: StaffUser) -> Appeal:
    """The other decider agrees: the appeal is upheld or dismissed, and the letter sent."""
    appeal = current_appeal(session, application)
    if appeal is None or appeal.proposed_outcome is None:
        raise workflow.NotAllowed("There is no proposed decision to confirm.")
    upheld = appeal.proposed_outcome == AppealOutcome.UPHELD
    action = Action.UPHOLD_APPEAL if upheld else Action.DISMISS_APPEAL
    transitions.apply(
        session,
        application,
        action,
        staff(user),
        context(appeal, user),
        detail={"reason": appeal.proposed_reason, "proposed_by": appeal.proposed_by_id},
    )
    appeal.outcome = appeal.proposed_outcome
    appeal.decided_by_id = user.id
    appeal.decided_at = now()
    appeal.letter = appeal.proposed_reason
    letters.send_letter(
        session,
        application,
        f"appeal_{appeal.outcome}",
        lazy_gettext("Your appeal: %(reference)s", reference=application.reference),
        appeal=appeal,
    )
    return appeal
