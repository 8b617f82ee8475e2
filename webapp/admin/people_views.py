"""A person's data: find everything held about them, export it (subject access) or erase it on request."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for

from webapp.admin import bp
from webapp.admin.forms import EraseForm, ExportForm, PersonForm
from webapp.admin.views import acting, confirm_with_code
from webapp.db import db_session
from webapp.review.helpers import INVALID
from webapp.services import personal_data, subject_access
from webapp.services import staff as accounts


@bp.route("/people")
def people():
    form = PersonForm(request.args)
    person = None
    if "q" in request.args and form.validate():
        person = personal_data.footprint(db_session(), form.q.data)
    return render_template(
        "admin/people.html",
        form=form,
        person=person,
        export_form=ExportForm(q=form.q.data),
        erase_form=EraseForm(q=form.q.data),
    ), (INVALID if form.errors else 200)


def _found(q: str | None) -> personal_data.Footprint:
    person = personal_data.footprint(db_session(), q or "")
    if not person.found:
        abort(404)
    return person


@bp.route("/people/export", methods=["POST"])
def export_person():
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    session = db_session()
    person = _found(form.q.data)
    archive = subject_access.export_zip(session, personal_data.Stores.of(current_app), person)
    subject_access.exported(session, acting())
    response = Response(archive, mimetype="application/zip")
    response.headers.set("Content-Disposition", "attachment", filename="personal-data.zip")
    return response


@bp.route("/people/erase", methods=["POST"])
def erase_person():
    form = EraseForm()
    session = db_session()
    person = _found(form.q.data)
    try:
        confirmed = form.validate_on_submit()
        if confirmed:
            confirm_with_code(form.code.data)
    except accounts.StaffError as exc:
        form.code.errors = [str(exc)]
        confirmed = False
    if not confirmed:
        return render_template(
            "admin/people.html",
            form=PersonForm(q=form.q.data),
            person=person,
            export_form=ExportForm(q=form.q.data),
            erase_form=form,
        ), INVALID
    freed = personal_data.erase(session, person, acting())
    # Committed here, not after the view, so that the files can go once the rows are gone.
    session.commit()
    personal_data.remove_files(session, personal_data.Stores.of(current_app), freed)
    flash(
        "Erased. What is left identifies nobody; the event log records that an erasure happened.", "success"
    )
    return redirect(url_for("admin.people"))
