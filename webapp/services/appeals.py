"""Appeals: an unsuccessful applicant may appeal within IAG_APPEAL_DAYS of the decision; the appeals panel
upholds it (back to an offer) or dismisses it, with a letter either way."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import Appeal, AppealOutcome, Application, StaffUser
from webapp.services import InputError, decisions, letters, required_text, transitions
from webapp.services.actors import APPLICANT, staff
from webapp.workflow import Action, Context


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
        session, application, "appeal_received", f"We have received your appeal: {application.reference}"
    )
    return appeal


def current_appeal(session: Session, application: Application) -> Appeal | None:
    return session.scalar(
        select(Appeal).where(Appeal.application_id == application.id).order_by(Appeal.id.desc()).limit(1)
    )


def decide_appeal(
    session: Session, application: Application, user: StaffUser, *, upheld: bool | None, reason: str
) -> Appeal:
    """The appeals panel upholds (back to an offer) or dismisses the appeal, with a letter."""
    if upheld is None:
        raise InputError("Choose whether to uphold or dismiss the appeal", "outcome")
    reason = required_text(reason, "reason", "Enter the reason, for the letter to the applicant")
    appeal = current_appeal(session, application)
    action = Action.UPHOLD_APPEAL if upheld else Action.DISMISS_APPEAL
    transitions.apply(session, application, action, staff(user), detail={"reason": reason})
    assert appeal is not None  # the workflow allows these actions only with an appeal lodged
    appeal.outcome = AppealOutcome.UPHELD if upheld else AppealOutcome.DISMISSED
    appeal.decided_by_id = user.id
    appeal.decided_at = now()
    appeal.letter = reason
    letters.send_letter(
        session,
        application,
        f"appeal_{appeal.outcome}",
        f"Your appeal: {application.reference}",
        appeal=appeal,
    )
    return appeal
