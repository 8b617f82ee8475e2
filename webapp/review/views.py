"""The staff pages. Thin: each loads what it acts on through `access` (so other groups' items are "not
found"), hands the work to a service, and shows the result. A refused input re-renders its form with the
message (status 422, so nothing is committed); a step the workflow refuses shows why (409)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from webapp import auth, safe_html, workflow
from webapp.clock import now
from webapp.db import db_session
from webapp.files import file_store
from webapp.models import Application, Group, InboundEmail, StaffRole, StaffUser
from webapp.review import bp
from webapp.review.forms import (
    RECOMMENDATIONS,
    ActionForm,
    AppealDecisionForm,
    AttachForm,
    GroupForm,
    InviteForm,
    NotApplicationForm,
    NoteForm,
    ProposeForm,
    RejectProposalForm,
    WithdrawForm,
)
from webapp.services import InputError, access, casefile, joining, review, search, transitions, triage
from webapp.services import inbox as inbox_service
from webapp.services.actors import staff
from webapp.staff.forms import SignOutForm
from webapp.workflow import Action, Outcome, Role, State

INVALID = 422


@bp.context_processor
def staff_context():
    """What the staff pages' navigation needs (the report pages use it too)."""
    user = auth.staff_user() if current_user.is_authenticated else None
    seen = access.scope(user) if user else None
    return {
        "user": user,
        "can_triage": bool(seen and (seen.triage or seen.everything)),
        "can_see_pipeline": bool(seen and (seen.groups or seen.everything)),
        "can_report": bool(user and access.holds(user, Role.EQUALITY_REPORTER, Role.SYSTEM_ADMIN)),
        "can_administer": bool(user and access.holds(user, Role.SYSTEM_ADMIN)),
        "sign_out_form": SignOutForm(),
    }


def _back(application: Application, message: str):
    flash(message, "success")
    return redirect(url_for("review.application_page", application_id=application.id))


def attempt(form, step: Callable[[], object]) -> bool:
    """Run a service step; a refused input becomes an error on the form's field."""
    try:
        step()
    except InputError as exc:
        field = getattr(form, exc.field, None) if exc.field else None
        if field is not None:
            field.errors = [*field.errors, exc.message]
        else:
            form.form_errors.append(exc.message)
        return False
    return True


# The inbox -----------------------------------------------------------------------------------------------


def _visible_groups(user: StaffUser) -> list[Group]:
    seen = access.scope(user)
    query = select(Group).order_by(Group.position)
    if not (seen.everything or seen.appeals):
        query = query.where(Group.id.in_(seen.groups))
    return list(db_session().scalars(query))


def _colleagues(user: StaffUser) -> list[StaffUser]:
    """People work can be assigned to: active staff holding a group role in a group this user serves."""
    seen = access.scope(user)
    query = select(StaffUser).join(StaffRole).where(StaffUser.active.is_(True))
    query = query.where(StaffRole.role.in_([str(r) for r in workflow.GROUP_ROLES]))
    if not seen.everything:
        query = query.where(StaffRole.group_id.in_(seen.groups))
    return list(db_session().scalars(query.distinct().order_by(StaffUser.name)))


@bp.route("/")
@login_required
def inbox():
    user = auth.staff_user()
    args = request.args
    filters = inbox_service.Filters(
        **{k: args.get(k, "") for k in inbox_service.Filters.__dataclass_fields__}
    )
    return render_template(
        "review/inbox.html",
        page=inbox_service.page(db_session(), user, filters),
        filters=filters,
        states=[s for s in State if s != State.DRAFT],
        ages=inbox_service.AGES,
        search_cap=search.CAP,
        groups=_visible_groups(user),
        assignees=_colleagues(user),
        action_form=ActionForm(),
        now=now(),
    )


@bp.route("/bulk-assign", methods=["POST"])
@login_required
def bulk_assign():
    if not ActionForm().validate_on_submit():
        abort(400)
    session, user = db_session(), auth.staff_user()
    assignee = session.get(StaffUser, request.form.get("assignee_id", type=int) or -1)
    ids = request.form.getlist("application_id", type=int)
    if assignee is None or not ids:
        flash("Select at least one application, and the person to assign them to.", "error")
        return redirect(url_for("review.inbox"))
    for application_id in ids:
        application = access.application(session, user, application_id)
        try:
            casefile.assign(session, application, assignee, by=user)
        except InputError as exc:
            session.rollback()
            flash(f"{application.reference}: {exc}. Nothing was assigned.", "error")
            return redirect(url_for("review.inbox"))
    flash(
        f"Assigned {len(ids)} {'application' if len(ids) == 1 else 'applications'} to {assignee.name}.",
        "success",
    )
    return redirect(url_for("review.inbox"))


# One application -----------------------------------------------------------------------------------------


def _load(application_id: int) -> Application:
    return access.application(db_session(), auth.staff_user(), application_id)


def _page(application: Application, note_form: NoteForm | None = None, status: int = 200):
    session, user = db_session(), auth.staff_user()
    pages = current_app.extensions["deployment"].application_pages
    roles = staff(user).roles_for(application.group_id)
    names = casefile.staff_names(session)
    return render_template(
        "review/application.html",
        application=application,
        pages=pages,
        emails=casefile.emails(session, application),
        attachments=casefile.attachments(session, application),
        notes=casefile.notes(session, application),
        timeline=casefile.timeline(session, application, names),
        duplicates=casefile.possible_duplicates(session, application, user),
        actions=workflow.available_actions(State(application.state), roles),
        discussion=review.current_discussion(session, application),
        pending=review.pending_decision(session, application)
        if application.state == State.DECISION_PROPOSED
        else None,  # a proposal left when the application was withdrawn waits for nobody
        decision=review.latest_decision(session, application),
        appeal=review.current_appeal(session, application),
        signing=joining.open_request(session, application),
        staff_names=names,
        note_form=note_form or NoteForm(),
        recommendation_names=dict(RECOMMENDATIONS),
        action_form=ActionForm(),
        group_form=_group_form(application) if application.group_id is None else None,
        user_serves=access.serves(user, application.group_id),
    ), status


@bp.route("/applications/<int:application_id>")
@login_required
def application_page(application_id: int):
    return _page(_load(application_id))


@bp.route("/applications/<int:application_id>/notes", methods=["POST"])
@login_required
def add_note(application_id: int):
    application = _load(application_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _page(application, form, INVALID)
    if not attempt(
        form,
        lambda: casefile.add_note(
            db_session(), application, auth.staff_user(), form.body.data or "", form.recommendation.data or ""
        ),
    ):
        return _page(application, form, INVALID)
    return _back(application, "Note added.")


@bp.route("/applications/<int:application_id>/assign-to-me", methods=["POST"])
@login_required
def assign_to_me(application_id: int):
    application = _load(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    user = auth.staff_user()
    try:
        casefile.assign(db_session(), application, user, by=user)
    except InputError as exc:
        flash(exc.message, "error")
        return redirect(url_for("review.application_page", application_id=application.id))
    return _back(application, "Assigned to you.")


def _button(application_id: int, run: Callable[[Application], object], message: str):
    """A one-button step (POST with only the CSRF token)."""
    application = _load(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    run(application)
    return _back(application, message)


@bp.route("/applications/<int:application_id>/start-review", methods=["POST"])
@login_required
def start_review(application_id: int):
    return _button(
        application_id,
        lambda a: transitions.apply(db_session(), a, Action.START_REVIEW, staff(auth.staff_user())),
        "Review started.",
    )


@bp.route("/applications/<int:application_id>/discussion-held", methods=["POST"])
@login_required
def discussion_held(application_id: int):
    return _button(
        application_id,
        lambda a: review.record_discussion_held(db_session(), a, auth.staff_user()),
        "Recorded that the discussion was held.",
    )


@bp.route("/applications/<int:application_id>/confirm-decision", methods=["POST"])
@login_required
def confirm_decision(application_id: int):
    return _button(
        application_id,
        lambda a: review.confirm_decision(db_session(), a, auth.staff_user()),
        "Decision confirmed. The applicant has been sent the letter.",
    )


@bp.route("/applications/<int:application_id>/send-agreement", methods=["POST"])
@login_required
def send_agreement(application_id: int):
    return _button(
        application_id,
        lambda a: joining.send_for_signature(db_session(), a, auth.staff_user()),
        "Sent: the Terms of Reference and a link to sign the confidentiality agreement.",
    )


@bp.route("/applications/<int:application_id>/resend-agreement", methods=["POST"])
@login_required
def resend_agreement(application_id: int):
    return _button(
        application_id,
        lambda a: joining.resend(db_session(), a, auth.staff_user()),
        "A new link to sign has been sent. The old link no longer works.",
    )


@bp.route("/applications/<int:application_id>/cancel-agreement", methods=["POST"])
@login_required
def cancel_agreement(application_id: int):
    return _button(
        application_id,
        lambda a: joining.cancel(db_session(), a, auth.staff_user()),
        "The link to sign has been stopped.",
    )


def _form_page(application: Application, form, template: str, title: str, status: int = 200, **extra):
    return render_template(
        f"review/{template}.html", application=application, form=form, title=title, **extra
    ), status


def _check_action(application: Application, action: Action) -> None:
    """Show a form only when its step is possible now (the POST is checked again by the workflow)."""
    roles = staff(auth.staff_user()).roles_for(application.group_id)
    if action not in workflow.available_actions(State(application.state), roles):
        raise workflow.NotAllowed(f"You cannot {action} this application now: it is {application.state}.")


@bp.route("/applications/<int:application_id>/invite", methods=["GET", "POST"])
@login_required
def invite(application_id: int):
    application = _load(application_id)
    rescheduling = application.state == State.DISCUSSION_INVITED
    _check_action(application, Action.RESCHEDULE_DISCUSSION if rescheduling else Action.INVITE_TO_DISCUSSION)
    form = InviteForm()
    title = "Move the discussion" if rescheduling else "Invite to an informal discussion"
    if form.validate_on_submit() and attempt(
        form,
        lambda: review.invite_to_discussion(
            db_session(), application, auth.staff_user(), form.time_and_place()
        ),
    ):
        return _back(application, "Invitation sent, with a calendar invitation.")
    status = INVALID if form.errors else 200
    return _form_page(application, form, "invite", title, status)


@bp.route("/applications/<int:application_id>/decide", methods=["GET", "POST"])
@login_required
def propose(application_id: int):
    application = _load(application_id)
    _check_action(application, Action.PROPOSE_DECISION)
    form = ProposeForm()
    groups = review.referral_groups(db_session(), application)
    form.referred_group.choices = [("", "Choose a group"), *[(str(g.id), g.name) for g in groups]]
    if form.validate_on_submit():
        referred = int(form.referred_group.data) if (form.referred_group.data or "").isdigit() else None
        if attempt(
            form,
            lambda: review.propose_decision(
                db_session(),
                application,
                auth.staff_user(),
                outcome=Outcome(form.outcome.data),
                reason=form.reason.data,
                referred_group_id=referred,
            ),
        ):
            return _back(
                application, "Decision proposed. It takes effect when the other decider confirms it."
            )
    return _form_page(application, form, "decide", "Propose a decision", INVALID if form.errors else 200)


@bp.route("/applications/<int:application_id>/reject-decision", methods=["GET", "POST"])
@login_required
def reject_decision(application_id: int):
    application = _load(application_id)
    _check_action(application, Action.REJECT_PROPOSAL)
    form = RejectProposalForm()
    if form.validate_on_submit() and attempt(
        form,
        lambda: review.reject_proposal(db_session(), application, auth.staff_user(), form.reject_reason.data),
    ):
        return _back(application, "Proposal set aside. The review goes on.")
    return _form_page(
        application,
        form,
        "reject_decision",
        "Do not agree with the proposed decision",
        INVALID if form.errors else 200,
        pending=review.pending_decision(db_session(), application),
    )


@bp.route("/applications/<int:application_id>/appeal", methods=["GET", "POST"])
@login_required
def decide_appeal(application_id: int):
    application = _load(application_id)
    _check_action(application, Action.UPHOLD_APPEAL)
    form = AppealDecisionForm()
    if form.validate_on_submit() and attempt(
        form,
        lambda: review.decide_appeal(
            db_session(),
            application,
            auth.staff_user(),
            upheld=form.outcome.data == "uphold",
            reason=form.reason.data,
        ),
    ):
        return _back(application, "Appeal decided. The applicant has been sent the letter.")
    return _form_page(
        application,
        form,
        "appeal",
        "Decide the appeal",
        INVALID if form.errors else 200,
        appeal=review.current_appeal(db_session(), application),
        decision=review.latest_decision(db_session(), application),
    )


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(application_id: int):
    application = _load(application_id)
    _check_action(application, Action.WITHDRAW)
    form = WithdrawForm()
    if form.validate_on_submit():
        user = auth.staff_user()
        review.withdraw(
            db_session(),
            application,
            staff(user),
            f"staff on the applicant's request: {form.how.data.strip()}",
        )
        return _back(application, "Application withdrawn. The applicant has been told by email.")
    return _form_page(
        application, form, "withdraw", "Withdraw at the applicant's request", INVALID if form.errors else 200
    )


def _group_form(application: Application) -> GroupForm:
    form = GroupForm()
    groups = [g for g in db_session().scalars(select(Group).order_by(Group.position)) if g.open_to_applicants]
    form.group.choices = [("", "Choose a group"), *[(str(g.id), g.name) for g in groups]]
    return form


@bp.route("/applications/<int:application_id>/group", methods=["POST"])
@login_required
def set_group(application_id: int):
    application = _load(application_id)
    form = _group_form(application)
    if form.validate_on_submit() and attempt(
        form,
        lambda: triage.set_group(db_session(), application, auth.staff_user(), int(form.group.data)),
    ):
        return _back(application, "Group set.")
    flash(form.group.errors[0] if form.group.errors else "Choose the group.", "error")
    return redirect(url_for("review.application_page", application_id=application.id))


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download_attachment(attachment_id: int):
    attachment = access.attachment(db_session(), auth.staff_user(), attachment_id)
    if not attachment.storage_name:
        abort(404)
    data = file_store(current_app).read(attachment.storage_name)
    # Always a download, never rendered: an HTML or SVG attachment must not run in our origin.
    response = current_app.response_class(data, mimetype="application/octet-stream")
    response.headers.set("Content-Disposition", "attachment", filename=attachment.filename or "attachment")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# Emails and triage ---------------------------------------------------------------------------------------


@bp.route("/emails/<int:email_id>/html")
@login_required
def email_html(email_id: int):
    """An email's (already sanitised) HTML, for a sandboxed frame: no scripts, no requests leave the page."""
    email = access.email(db_session(), auth.staff_user(), email_id)
    response = current_app.response_class(
        # Cleaned again on the way out, and without links: a click must not take the frame off the site.
        render_template(
            "review/email_frame.html",
            email=email,
            html=Markup(safe_html.for_display(email.html_body)),  # noqa: S704
        ),
        mimetype="text/html",
    )
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _triager() -> StaffUser:
    """The signed-in user, if they triage (the admin team and system admins); others get "not found"."""
    user = auth.staff_user()
    if not (access.scope(user).triage or access.scope(user).everything):
        abort(404)
    return user


@bp.route("/triage")
@login_required
def triage_list():
    user = _triager()
    tab = request.args.get("tab", "needs triage")
    tab = tab if tab in triage.TABS else "needs triage"
    q = request.args.get("q", "")
    return render_template(
        "review/triage.html",
        page=triage.page(db_session(), user, tab, q, request.args.get("after", "")),
        tab=tab,
        tabs=list(triage.TABS),
        q=q,
        form=NotApplicationForm(),
        unknown_group=db_session().scalar(
            select(Application.id)
            .where(Application.group_id.is_(None), Application.state != State.DRAFT)
            .limit(1)
        ),
    )


@bp.route("/triage/not-applications", methods=["POST"])
@login_required
def not_applications():
    session, user = db_session(), _triager()
    emails = [access.email(session, user, i) for i in request.form.getlist("email_id", type=int)]
    form = NotApplicationForm()
    if not form.validate_on_submit():
        flash(form.reason.errors[0] if form.reason.errors else "Say why.", "error")
        return redirect(url_for("review.triage_list"))
    try:
        count = triage.not_an_application(session, emails, user, form.reason.data)
    except InputError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("review.triage_list"))
    flash(f"Marked {count} {'email' if count == 1 else 'emails'} as not an application.", "success")
    return redirect(url_for("review.triage_list"))


def _email_page(email: InboundEmail, status: int = 200, **forms):
    session = db_session()
    group_form = forms.get("group_form") or GroupForm()
    groups = [g for g in session.scalars(select(Group).order_by(Group.position)) if g.open_to_applicants]
    group_form.group.choices = [("", "Choose a group"), *[(str(g.id), g.name) for g in groups]]
    return render_template(
        "review/email.html",
        email=email,
        attachments=casefile.email_attachments(session, email),
        group_form=group_form,
        attach_form=forms.get("attach_form") or AttachForm(),
        not_form=forms.get("not_form") or NotApplicationForm(),
        prefilled=triage.prefilled_answers(session, email) if email.application_id is None else {},
    ), status


@bp.route("/emails/<int:email_id>")
@login_required
def email_page(email_id: int):
    return _email_page(access.email(db_session(), auth.staff_user(), email_id))


@bp.route("/emails/<int:email_id>/create-application", methods=["POST"])
@login_required
def create_from_email(email_id: int):
    session, user = db_session(), _triager()
    email = access.email(session, user, email_id)
    form = GroupForm()
    form.group.choices = [(str(g.id), g.name) for g in session.scalars(select(Group))]
    made: list[Application] = []
    if form.validate_on_submit() and attempt(
        form, lambda: made.append(triage.create_application(session, email, user, int(form.group.data)))
    ):
        return _back(made[0], f"Application {made[0].reference} made from the email.")
    return _email_page(email, INVALID, group_form=form)


@bp.route("/emails/<int:email_id>/attach", methods=["POST"])
@login_required
def attach_email(email_id: int):
    session, user = db_session(), _triager()
    email = access.email(session, user, email_id)
    form = AttachForm()
    found: list[Application] = []
    if form.validate_on_submit() and attempt(
        form, lambda: found.append(triage.attach(session, email, user, form.reference.data))
    ):
        return _back(found[0], "Email attached to this application.")
    return _email_page(email, INVALID, attach_form=form)


@bp.route("/emails/<int:email_id>/not-an-application", methods=["POST"])
@login_required
def not_an_application(email_id: int):
    session, user = db_session(), _triager()
    email = access.email(session, user, email_id)
    form = NotApplicationForm()
    if form.validate_on_submit() and attempt(
        form, lambda: triage.not_an_application(session, [email], user, form.reason.data)
    ):
        flash("Marked as not an application.", "success")
        return redirect(url_for("review.triage_list"))
    return _email_page(email, INVALID, not_form=form)
