"""The workflow's steps as staff take them: start the review, the discussion, the two sign-offs of a
decision, the appeal, the agreement to sign, and a withdrawal the applicant asked for."""

from __future__ import annotations

from flask import Response, redirect, url_for
from flask_login import login_required

from webapp import auth
from webapp.db import db_session
from webapp.forms import attempt
from webapp.review import bp
from webapp.review.forms import (
    AppealDecisionForm,
    InviteForm,
    ProposeForm,
    RejectProposalForm,
    WithdrawForm,
)
from webapp.review.helpers import INVALID, back, button, check_action, form_page, load
from webapp.services import appeals, decisions, discussions, joining, transitions, withdrawals
from webapp.services.actors import staff
from webapp.workflow import Action, Outcome, State


def _status(form) -> int:
    return INVALID if form.errors else 200


@bp.route("/applications/<int:application_id>/start-review", methods=["POST"])
@login_required
def start_review(application_id: int):
    return button(
        application_id,
        lambda a: transitions.apply(db_session(), a, Action.START_REVIEW, staff(auth.staff_user())),
        "Review started.",
    )


@bp.route("/applications/<int:application_id>/discussion-held", methods=["POST"])
@login_required
def discussion_held(application_id: int):
    return button(
        application_id,
        lambda a: discussions.record_held(db_session(), a, auth.staff_user()),
        "Recorded that the discussion was held.",
    )


@bp.route("/applications/<int:application_id>/did-not-attend", methods=["POST"])
@login_required
def did_not_attend(application_id: int):
    return button(
        application_id,
        lambda a: discussions.record_not_attended(db_session(), a, auth.staff_user()),
        "Recorded that the applicant did not attend. The review goes on: invite them again, or decide.",
    )


@bp.route("/applications/<int:application_id>/confirm-decision", methods=["POST"])
@login_required
def confirm_decision(application_id: int):
    return button(
        application_id,
        lambda a: decisions.confirm_decision(db_session(), a, auth.staff_user()),
        "Decision confirmed. The applicant has been sent the letter.",
    )


@bp.route("/applications/<int:application_id>/send-agreement", methods=["POST"])
@login_required
def send_agreement(application_id: int):
    return button(
        application_id,
        lambda a: joining.send_for_signature(db_session(), a, auth.staff_user()),
        "Sent: the Terms of Reference and a link to sign the confidentiality agreement.",
    )


@bp.route("/applications/<int:application_id>/resend-agreement", methods=["POST"])
@login_required
def resend_agreement(application_id: int):
    return button(
        application_id,
        lambda a: joining.resend(db_session(), a, auth.staff_user()),
        "A new link to sign has been sent. The old link no longer works.",
    )


@bp.route("/applications/<int:application_id>/cancel-agreement", methods=["POST"])
@login_required
def cancel_agreement(application_id: int):
    return button(
        application_id,
        lambda a: joining.cancel(db_session(), a, auth.staff_user()),
        "The link to sign has been stopped.",
    )


@bp.route("/applications/<int:application_id>/invite", methods=["GET", "POST"])
@login_required
def invite(application_id: int):
    application = load(application_id)
    rescheduling = application.state == State.DISCUSSION_INVITED
    check_action(application, Action.RESCHEDULE_DISCUSSION if rescheduling else Action.INVITE_TO_DISCUSSION)
    form = InviteForm()
    title = "Move the discussion" if rescheduling else "Invite to an informal discussion"
    if form.validate_on_submit() and attempt(
        form,
        lambda: discussions.invite(db_session(), application, auth.staff_user(), form.time_and_place()),
    ):
        return back(application, "Invitation sent, with a calendar invitation.")
    return form_page(application, form, "invite", title, _status(form))


@bp.route("/applications/<int:application_id>/decide", methods=["GET", "POST"])
@login_required
def propose(application_id: int):
    application = load(application_id)
    check_action(application, Action.PROPOSE_DECISION)
    form = ProposeForm()
    groups = decisions.referral_groups(db_session(), application)
    form.referred_group.choices = [("", "Choose a group"), *[(str(g.id), g.name) for g in groups]]
    if form.validate_on_submit():
        referred = int(form.referred_group.data) if (form.referred_group.data or "").isdigit() else None
        if attempt(
            form,
            lambda: decisions.propose_decision(
                db_session(),
                application,
                auth.staff_user(),
                outcome=Outcome(form.outcome.data),
                reason=form.reason.data,
                referred_group_id=referred,
            ),
        ):
            return back(application, "Decision proposed. It takes effect when the other decider confirms it.")
    return form_page(application, form, "decide", "Propose a decision", _status(form))


@bp.route("/applications/<int:application_id>/reject-decision", methods=["GET", "POST"])
@login_required
def reject_decision(application_id: int):
    application = load(application_id)
    check_action(application, Action.REJECT_PROPOSAL)
    form = RejectProposalForm()
    if form.validate_on_submit() and attempt(
        form,
        lambda: decisions.reject_proposal(
            db_session(), application, auth.staff_user(), form.reject_reason.data
        ),
    ):
        return back(application, "Proposal set aside. The review goes on.")
    return form_page(
        application,
        form,
        "reject_decision",
        "Do not agree with the proposed decision",
        _status(form),
        pending=decisions.pending_decision(db_session(), application),
    )


@bp.route("/applications/<int:application_id>/appeal", methods=["GET", "POST"])
@login_required
def decide_appeal(application_id: int):
    """The first of the panel proposes the appeal's outcome; the other then agrees on the case."""
    application = load(application_id)
    check_action(application, Action.PROPOSE_APPEAL_OUTCOME)
    form = AppealDecisionForm()
    if form.validate_on_submit() and attempt(
        form,
        lambda: appeals.propose_outcome(
            db_session(),
            application,
            auth.staff_user(),
            upheld=form.outcome.data == "uphold",
            reason=form.reason.data,
        ),
    ):
        return back(application, "Proposal recorded. The other member of the appeals panel must agree.")
    return form_page(
        application,
        form,
        "appeal",
        "Propose the appeal's outcome",
        _status(form),
        appeal=appeals.current_appeal(db_session(), application),
        decision=decisions.latest_decision(db_session(), application),
    )


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(application_id: int):
    application = load(application_id)
    check_action(application, Action.WITHDRAW)
    form = WithdrawForm()
    if form.validate_on_submit():
        withdrawals.withdraw(
            db_session(),
            application,
            staff(auth.staff_user()),
            f"staff on the applicant's request: {form.how.data.strip()}",
        )
        return back(application, "Application withdrawn. The applicant has been told by email.")
    return form_page(application, form, "withdraw", "Withdraw at the applicant's request", _status(form))


@bp.route("/applications/<int:application_id>/decision-letter.pdf")
@login_required
def decision_letter(application_id: int):
    """The letter the proposed decision would send, as a PDF, before anyone agrees and sends it."""
    preview = decisions.preview_letter(db_session(), load(application_id))
    if preview is None:  # nothing proposed (now): back to the case, which says where it stands
        return redirect(url_for("review.application_page", application_id=application_id))
    response = Response(preview.letter.pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "inline", filename=f"preview-{preview.letter.filename}")
    return response


@bp.route("/applications/<int:application_id>/confirm-appeal", methods=["POST"])
@login_required
def confirm_appeal(application_id: int):
    return button(
        application_id,
        lambda a: appeals.confirm_outcome(db_session(), a, auth.staff_user()),
        "Appeal decided. The applicant has been sent the letter.",
    )


@bp.route("/applications/<int:application_id>/reject-appeal-proposal", methods=["GET", "POST"])
@login_required
def reject_appeal_proposal(application_id: int):
    application = load(application_id)
    check_action(application, Action.REJECT_APPEAL_PROPOSAL)
    form = RejectProposalForm()
    if form.validate_on_submit() and attempt(
        form,
        lambda: appeals.set_aside(db_session(), application, auth.staff_user(), form.reject_reason.data),
    ):
        return back(application, "Proposal set aside. The appeal waits for a new proposal.")
    return form_page(
        application,
        form,
        "reject_decision",
        "Do not agree with the proposed outcome of the appeal",
        _status(form),
        appeal=appeals.current_appeal(db_session(), application),
    )
