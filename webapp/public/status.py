"""The applicant's own page, reached by an emailed magic link: where things stand, and withdrawing."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import LazyString, gettext, lazy_gettext
from flask_babel import lazy_gettext as _l

from webapp.db import db_session
from webapp.files import file_store
from webapp.languages import group_text
from webapp.models import Application, Group
from webapp.public import bp
from webapp.public.forms import AppealForm, ConfirmForm, FindApplicationForm, ReferralConsentForm
from webapp.questions import CODE_OF_ETHICS
from webapp.services import (
    appeals,
    applications,
    decisions,
    equality,
    letters,
    links,
    meetings,
    members,
    referrals,
    withdrawals,
)
from webapp.services.actors import APPLICANT
from webapp.workflow import WITHDRAWABLE, State

# What each state means for the applicant, and what happens next, in plain words.
PLAIN_WORDS: dict[State, tuple[LazyString, LazyString]] = {
    State.SUBMITTED: (
        _l("We have received your application."),
        _l(
            "The group's Chair and Police Coordinator will read it. "
            "We aim to reply within {days} working days."
        ),
    ),
    State.IN_REVIEW: (
        _l("The Chair and Police Coordinator are reading your application."),
        _l("They may invite you to an informal discussion before they decide."),
    ),
    State.DISCUSSION_INVITED: (
        _l("We have invited you to an informal discussion."),
        _l("Check your email for the date, time and place. Reply if it does not suit you."),
    ),
    State.DISCUSSION_HELD: (
        _l("Thank you for talking with us."),
        _l("The Chair and Police Coordinator will now decide. We will email you."),
    ),
    State.DECISION_PROPOSED: (
        _l("The Chair and Police Coordinator are making their decision."),
        _l("We will email you when they have decided."),
    ),
    State.OFFERED: (
        _l("We would like to offer you a place on the group."),
        _l("We will email you the Terms of Reference and a confidentiality agreement to sign."),
    ),
    State.REFERRED: (
        _l("We have suggested another group that may suit you better."),
        _l("Check your email for details."),
    ),
    State.UNSUCCESSFUL: (
        _l("Your application has not been successful this time."),
        _l("Our email explains why. You can appeal against the decision."),
    ),
    State.APPEAL_LODGED: (
        _l("We have received your appeal."),
        _l("The Strategic IAG Chair and an Assistant Chief Constable will consider it."),
    ),
    State.APPEAL_UPHELD: (
        _l("Your appeal has been upheld."),
        _l("We will email you the Terms of Reference and a confidentiality agreement to sign."),
    ),
    State.APPEAL_DISMISSED: (_l("Your appeal has not been upheld."), _l("Our email explains why.")),
    State.AGREEMENT_SENT: (
        _l("We have sent you the confidentiality agreement to sign."),
        _l("Use the link in the email to read and sign it."),
    ),
    State.AGREEMENT_SIGNED: (
        _l("Thank you for signing the confidentiality agreement."),
        _l("We will confirm your membership and send you the dates of meetings."),
    ),
    State.MEMBER: (
        _l("You are a member of the group."),
        _l("We will send you the dates of future meetings."),
    ),
    State.WITHDRAWN: (
        _l("You have withdrawn your application."),
        _l("You are welcome to apply again at any time."),
    ),
}


def _application(token: str) -> Application:
    application = links.application_for_status_link(db_session(), token)
    if application is None:
        abort(404)
    return application


@bp.route("/my-application/<token>")
def status(token: str):
    application = _application(token)
    state = application.state
    now_text, next_text = PLAIN_WORDS[state]
    next_text = next_text.format(days=current_app.extensions["deployment"].reply_working_days)
    decision = decisions.latest_decision(db_session(), application) if state == State.UNSUCCESSFUL else None
    # A member's meetings (and their online links) for a current member only: not for one who has left.
    membership = members.of(db_session(), application) if state == State.MEMBER else None
    current_member = membership is not None and membership.left_at is None
    return render_template(
        "public/status/status.html",
        application=application,
        token=token,
        now_text=now_text,
        next_text=next_text,
        can_withdraw=state in WITHDRAWABLE,
        referral=referrals.latest_referral(db_session(), application) if state == State.REFERRED else None,
        can_appeal=state == State.UNSUCCESSFUL and appeals.appeal_window_open(db_session(), application),
        decision=decision,
        appeal_by=decisions.appeal_deadline(decision) if decision else None,
        letter=letters.latest_letter(db_session(), application),
        monitoring_done=equality.answered(db_session(), application.id),
        member=current_member,
        meetings=meetings.future(db_session(), application.group_id) if current_member else [],
        declaration_needed=applications.declaration_needed(application),
        declaration_form=ConfirmForm(),
        code_of_ethics=CODE_OF_ETHICS,
    )


@bp.route("/my-application/<token>/declaration", methods=["POST"])
def declaration(token: str):
    """The applicant confirms the declaration their returned form left unticked."""
    application = _application(token)
    if ConfirmForm().validate_on_submit() and applications.declaration_needed(application):
        applications.confirm_declaration(db_session(), application)
        flash(gettext("Thank you. You have confirmed the declaration."), "success")
    return redirect(url_for("public.status", token=token))


@bp.route("/my-application/<token>/equal-opportunities")
def status_monitoring(token: str):
    application = _application(token)
    session["monitoring_for"] = application.id
    return redirect(url_for("public.monitoring"))


@bp.route("/my-application/<token>/withdraw", methods=["GET", "POST"])
def withdraw(token: str):
    application = _application(token)
    form = ConfirmForm()
    if application.state not in WITHDRAWABLE:
        return redirect(url_for("public.status", token=token))
    if form.validate_on_submit():
        withdrawals.withdraw(db_session(), application, APPLICANT, "applicant, from their page")
        return redirect(url_for("public.status", token=token))
    return render_template("public/status/withdraw.html", application=application, token=token, form=form)


@bp.route("/my-application", methods=["GET", "POST"])
def find_application():
    """Lost the link? Give the email address: each application made with it gets a new link (the old one
    stops working), by email to that address. The page says the same whatever the address."""
    form = FindApplicationForm()
    if form.validate_on_submit():
        for application in applications.made_with(db_session(), form.email.data):
            letters.email_applicant(
                db_session(),
                application,
                "status_link",
                lazy_gettext("Your application %(reference)s", reference=application.reference),
                automatic=True,
                token=links.issue_status_link(db_session(), application, replace=True),
            )
        return render_template("public/status/link_sent.html", email=form.email.data)
    return render_template("public/status/find.html", form=form)


@bp.route("/my-application/<token>/referral", methods=["GET", "POST"])
def referral(token: str):
    """The applicant agrees (or not) to their application being passed to the group it was referred to."""
    application = _application(token)
    waiting = referrals.open_referral(db_session(), application)
    if waiting is None:
        return redirect(url_for("public.status", token=token))
    form = ReferralConsentForm()
    if form.validate_on_submit():
        passed_on = referrals.answer_referral(db_session(), application, form.consent.data == "yes")
        if passed_on is None:
            flash(gettext("We have not passed your application on."), "success")
            return redirect(url_for("public.status", token=token))
        linked, linked_token = passed_on
        passed = gettext(
            "We have passed your application to the %(group)s. "
            "Its reference is %(reference)s. This is its page.",
            group=group_text(linked.known_group, "name"),
            reference=linked.reference,
        )
        flash(passed, "success")
        return redirect(url_for("public.status", token=linked_token))
    group = db_session().get(Group, waiting.to_group_id)
    return render_template(
        "public/status/referral.html", application=application, token=token, form=form, group=group
    ), (422 if form.errors else 200)


@bp.route("/my-application/<token>/appeal", methods=["GET", "POST"])
def appeal(token: str):
    application = _application(token)
    if application.state != State.UNSUCCESSFUL:
        return redirect(url_for("public.status", token=token))
    if not appeals.appeal_window_open(db_session(), application):
        return render_template("public/status/appeal_closed.html", application=application, token=token)
    form = AppealForm()
    if form.validate_on_submit():
        appeals.lodge_appeal(db_session(), application, form.reasons.data)
        flash(gettext("We have received your appeal. We have sent you an email to confirm."), "success")
        return redirect(url_for("public.status", token=token))
    decision = decisions.latest_decision(db_session(), application)
    if decision is None:  # the window is open only once a decision has taken effect
        abort(404)
    return render_template(
        "public/status/appeal.html",
        application=application,
        token=token,
        form=form,
        deadline=decisions.appeal_deadline(decision),
    ), (422 if form.errors else 200)


@bp.route("/my-application/<token>/what-you-sent")
def answers(token: str):
    """The applicant's answers, as they sent them (never the equal opportunities answers)."""
    application = _application(token)
    pages = current_app.extensions["deployment"].application_pages
    return render_template(
        "public/status/answers.html", application=application, token=token, **letters.sent(application, pages)
    )


@bp.route("/my-application/<token>/what-you-sent.pdf")
def answers_pdf(token: str):
    application = _application(token)
    pdf = letters.answers_pdf(application, current_app.extensions["deployment"].application_pages)
    return _pdf(pdf, f"what-you-sent-{application.reference}.pdf")


@bp.route("/my-application/<token>/letter.pdf")
def letter_pdf(token: str):
    """The last letter we sent (a decision, an appeal's outcome), as it was sent."""
    letter = letters.latest_letter(db_session(), _application(token))
    if letter is None:
        abort(404)
    return _pdf(file_store(current_app).read(letter.storage_name), letter.filename)


def _pdf(data: bytes, filename: str):
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response
