"""Writing to the applicant from the case: choose a standard reply or write, preview, send. Thin: the
service checks and sends."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from webapp import auth
from webapp.db import db_session
from webapp.forms import attempt
from webapp.models import Application
from webapp.review import bp
from webapp.review.forms import ReplyForm
from webapp.review.helpers import INVALID, back, load
from webapp.services import casefile, replies, wording


def _form(application: Application) -> ReplyForm:
    form = ReplyForm()
    form.standard.choices = [
        ("", "Write my own"),
        *[(e.name, e.title.split(": ", 1)[-1]) for e in wording.STANDARD_REPLIES],
    ]
    form.files.choices = [
        (item.id, item.filename)
        for item in casefile.attachments(db_session(), application)
        if item.storage_name
    ]
    return form


@bp.route("/applications/<int:application_id>/write", methods=["GET", "POST"])
@login_required
def write_to_applicant(application_id: int):
    application = load(application_id)
    session, user = db_session(), auth.staff_user()
    form = _form(application)
    preview = None
    status = 200
    chosen = request.args.get("standard", "")
    if request.method == "GET" and chosen:
        form.standard.data = chosen
        attempt(
            form, lambda: setattr(form.body, "data", replies.standard_reply(session, application, chosen))
        )
    if request.method == "POST" and form.validate_on_submit():
        body, files = form.body.data or "", list(form.files.data or [])
        if request.form.get("action") == "send":
            if attempt(form, lambda: replies.send(session, user, application, body, files)):
                return back(application, f"Your email to {application.known_applicant.email} is on its way.")
        else:
            drafted = []
            if attempt(form, lambda: drafted.append(replies.draft(session, user, application, body, files))):
                preview = drafted[0]
    if request.method == "POST" and (form.errors or form.form_errors):
        status = INVALID
    return render_template(
        "review/write.html",
        application=application,
        form=form,
        preview=preview,
        title="Write to the applicant",
    ), status
