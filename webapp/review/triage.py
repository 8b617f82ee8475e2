"""Triage: emails the poller could not place, one email's page, and what the admin team does with it
(make an application, attach it to one, or mark it not an application)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from markupsafe import Markup

from webapp import auth, safe_html
from webapp.db import db_session
from webapp.forms import attempt
from webapp.models import Application, InboundEmail, StaffUser
from webapp.review import bp
from webapp.review.forms import ActionForm, AttachForm, GroupForm, NotApplicationForm
from webapp.review.helpers import INVALID, back, group_form
from webapp.services import InputError, access, casefile, groups, triage


@bp.route("/emails/<int:email_id>/html")
@login_required
def email_html(email_id: int):
    """An email's (already sanitised) HTML, for a sandboxed frame: no scripts, no requests leave the page."""
    email = access.email(db_session(), auth.staff_user(), email_id)
    response = current_app.response_class(
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
    session, user = db_session(), _triager()
    tab = request.args.get("tab", "needs triage")
    tab = tab if tab in triage.TABS else "needs triage"
    q = request.args.get("q", "")
    return render_template(
        "review/triage.html",
        page=triage.page(session, user, tab, q, request.args.get("after", "")),
        tab=tab,
        tabs=list(triage.TABS),
        q=q,
        form=NotApplicationForm(),
        unknown_group=triage.first_without_group(session),
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
    return render_template(
        "review/email.html",
        email=email,
        attachments=casefile.email_attachments(session, email),
        group_form=group_form(groups.open_to_applicants(session), forms.get("group_form")),
        attach_form=forms.get("attach_form") or AttachForm(),
        not_form=forms.get("not_form") or NotApplicationForm(),
        prefilled=triage.prefilled_answers(session, email) if email.application_id is None else {},
        contacts=current_app.extensions["deployment"].contacts,
        contact_for=triage.CONTACT_FOR,
        pass_on_form=forms.get("pass_on_form") or ActionForm(),
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
    form.group.choices = [(str(g.id), g.name) for g in groups.in_order(session)]
    made: list[Application] = []
    if form.validate_on_submit() and attempt(
        form, lambda: made.append(triage.create_application(session, email, user, int(form.group.data)))
    ):
        return _filed(made[0], f"Application {made[0].reference} made from the email")
    return _email_page(email, INVALID, group_form=form)


def _filed(application: Application, done: str):
    """Where to go once an email is filed: the application, or, when it is in a group this person does
    not serve (triage files for every group), a page that says it is done and who has it now."""
    if access.may_see(db_session(), auth.staff_user(), application):
        return back(application, f"{done}.")
    return render_template("review/filed.html", application=application, done=done)


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
        return _filed(found[0], f"Email attached to application {found[0].reference}")
    return _email_page(email, INVALID, attach_form=form)


@bp.route("/emails/<int:email_id>/pass-on", methods=["POST"])
@login_required
def pass_on(email_id: int):
    session, user = db_session(), _triager()
    email = access.email(session, user, email_id)
    form = ActionForm()
    done: list[tuple[str, bool]] = []
    if form.validate_on_submit() and attempt(form, lambda: done.append(triage.pass_on(session, email, user))):
        contact, replied = done[0]
        told = "the sender has the standard reply" if replied else "no reply was sent (no trusted sender)"
        flash(f"Passed on to {contact}: {told}. Forward the email there.", "success")
        return redirect(url_for("review.triage_list"))
    return _email_page(email, INVALID, pass_on_form=form)


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
