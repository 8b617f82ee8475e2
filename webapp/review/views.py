from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from webapp import auth, workflow
from webapp.clock import now
from webapp.db import db_session
from webapp.models import Application, Group
from webapp.outgoing import file_store
from webapp.review import bp
from webapp.review.forms import ActionForm, NoteForm
from webapp.services import access, casefile, transitions
from webapp.services import inbox as inbox_service
from webapp.services.actors import group_ids_served, staff
from webapp.staff.forms import SignOutForm
from webapp.workflow import State


@bp.route("/")
@login_required
def inbox():
    user = auth.staff_user()
    served = group_ids_served(user)
    args = request.args
    filters = inbox_service.Filters(
        state=args.get("state", ""),
        group=args.get("group", ""),
        source=args.get("source", ""),
        assignee=args.get("assignee", ""),
        after=args.get("after", ""),
    )
    groups = select(Group).order_by(Group.position)
    if served is not None:
        groups = groups.where(Group.id.in_(served))
    session = db_session()
    return render_template(
        "review/inbox.html",
        page=inbox_service.page(session, user, filters),
        filters=filters,
        states=[s for s in State if s != State.DRAFT],
        groups=session.scalars(groups).all(),
        now=now(),
        user=user,
        sign_out_form=SignOutForm(),
    )


def _load(application_id: int) -> Application:
    return access.application(db_session(), auth.staff_user(), application_id)


def _page(application: Application, note_form: NoteForm | None = None, note_error: str | None = None):
    session, user = db_session(), auth.staff_user()
    pages = current_app.extensions["deployment"].application_pages
    return render_template(
        "review/application.html",
        application=application,
        pages=pages,
        known_keys={q.key for page in pages for q in page.questions},
        emails=casefile.emails(session, application),
        attachments=casefile.attachments(session, application),
        notes=casefile.notes(session, application),
        timeline=casefile.timeline(session, application),
        duplicates=casefile.possible_duplicates(session, application, group_ids_served(user)),
        actions=workflow.available_actions(State(application.state), auth_roles(user, application)),
        note_form=note_form or NoteForm(),
        note_error=note_error,
        action_form=ActionForm(),
        sign_out_form=SignOutForm(),
        user=user,
    )


def auth_roles(user, application: Application) -> frozenset:
    return staff(user).roles_for(application.group_id)


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
        abort(400)
    try:
        casefile.add_note(db_session(), application, auth.staff_user(), form.body.data or "")
    except casefile.NoteError as exc:
        return _page(application, form, str(exc))
    flash("Note added.", "success")
    return redirect(url_for("review.application_page", application_id=application.id))


@bp.route("/applications/<int:application_id>/start-review", methods=["POST"])
@login_required
def start_review(application_id: int):
    application = _load(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    transitions.apply(db_session(), application, workflow.Action.START_REVIEW, staff(auth.staff_user()))
    flash("Review started.", "success")
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
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/applications/<int:application_id>/assign-to-me", methods=["POST"])
@login_required
def assign_to_me(application_id: int):
    application = _load(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    casefile.assign(db_session(), application, auth.staff_user(), by=auth.staff_user())
    flash("Assigned to you.", "success")
    return redirect(url_for("review.application_page", application_id=application.id))
