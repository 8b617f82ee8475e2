"""One application's page: the case file and the steps open now; notes, assigning, its group, files."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import login_required

from webapp import auth, images
from webapp.answers import given_confirmations, shown_answers
from webapp.db import db_session
from webapp.files import file_store
from webapp.forms import attempt
from webapp.models import Application, Source
from webapp.review import bp
from webapp.review.forms import RECOMMENDATIONS, ActionForm, NoteForm
from webapp.review.helpers import INVALID, back, group_form, load
from webapp.services import InputError, access, case_page, casefile, groups, triage, waiting


def show(
    application: Application,
    note_form: NoteForm | None = None,
    status: int = 200,
    seen: tuple[bool, datetime | None] = (False, None),
):
    """The case page. `seen`: whether this person is opening it now, and when they last had before (mail
    since then is marked new to them)."""
    case = case_page.page(db_session(), auth.staff_user(), application)
    return render_template(
        "review/application.html",
        **case.as_context(),
        opening=seen[0],
        last_seen=seen[1],
        answers=shown_answers(
            current_app.extensions["deployment"].application_pages,
            application.answers,
            every_question=application.source == Source.WEB,
        ),
        confirmations=given_confirmations(application.answers),
        note_form=note_form or NoteForm(),
        recommendation_names=dict(RECOMMENDATIONS),
        action_form=ActionForm(),
        group_form=group_form(case.open_groups) if application.group_id is None else None,
    ), status


@bp.route("/applications/<int:application_id>")
@login_required
def application_page(application_id: int):
    application = load(application_id)
    return show(application, seen=(True, waiting.opened(db_session(), auth.staff_user(), application)))


@bp.route("/applications/<int:application_id>/notes", methods=["POST"])
@login_required
def add_note(application_id: int):
    application = load(application_id)
    form = NoteForm()
    if form.validate_on_submit() and attempt(
        form,
        lambda: casefile.add_note(
            db_session(), application, auth.staff_user(), form.body.data or "", form.recommendation.data or ""
        ),
    ):
        return back(application, "Note added.")
    return show(application, form, INVALID)


@bp.route("/applications/<int:application_id>/assign-to-me", methods=["POST"])
@login_required
def assign_to_me(application_id: int):
    application = load(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    user = auth.staff_user()
    try:
        casefile.assign(db_session(), application, user, by=user)
    except InputError as exc:
        flash(exc.message, "error")
        return redirect(url_for("review.application_page", application_id=application.id))
    return back(application, "Assigned to you.")


@bp.route("/applications/<int:application_id>/group", methods=["POST"])
@login_required
def set_group(application_id: int):
    application = load(application_id)
    form = group_form(groups.open_to_applicants(db_session()))
    if form.validate_on_submit() and attempt(
        form,
        lambda: triage.set_group(db_session(), application, auth.staff_user(), int(form.group.data)),
    ):
        return back(application, "Group set.")
    flash(form.group.errors[0] if form.group.errors else "Choose the group.", "error")
    return redirect(url_for("review.application_page", application_id=application.id))


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download_attachment(attachment_id: int):
    attachment = access.attachment(db_session(), auth.staff_user(), attachment_id)
    if not attachment.storage_name:
        abort(404)
    stored = file_store(current_app).read(attachment.storage_name)
    # A photo comes upright as a JPEG without its EXIF; anything else as stored.
    data, mimetype, filename = images.for_staff(stored, attachment.content_type, attachment.filename)
    # Always a download, never rendered: an HTML or SVG attachment must not run in our origin.
    response = current_app.response_class(data, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
