"""The wording of emails and letters: each with its standard text, the force's own, and a preview."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for

from webapp import auth
from webapp.admin import bp
from webapp.admin.forms import ActionForm, WordingForm
from webapp.db import db_session
from webapp.review.helpers import INVALID
from webapp.services import letters, wording, wording_sample


def _email(name: str) -> wording.Email:
    email = wording.BY_NAME.get(name)
    if email is None:
        abort(404)
    return email


@bp.route("/wording")
def wording_list():
    session = db_session()
    own = {email.name: wording.own(session, email.name) for email in wording.CATALOGUE}
    return render_template("admin/wording_list.html", emails=wording.CATALOGUE, own=own)


@bp.route("/wording/<name>", methods=["GET", "POST"])
def wording_edit(name: str):
    email = _email(name)
    session = db_session()
    form = WordingForm()
    preview = None
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "save":
                wording.save(session, name, form.body.data, auth.staff_user())
                flash(f"“{email.title}”: the new wording is used from now on.", "success")
                return redirect(url_for("admin.wording_list"))
            preview = wording.check(session, name, form.body.data)
        except wording.WordingError as exc:
            form.body.errors = [*form.body.errors, str(exc)]
    own = wording.own(session, name)
    if not form.is_submitted():
        form.body.data = own.body if own else wording.standard(name)
    return render_template(
        "admin/wording.html",
        email=email,
        form=form,
        preview=preview,
        own=own,
        values=sorted(wording.values(name) - wording.COMMON),
        reset_form=ActionForm(formdata=None),
    ), (INVALID if form.errors else 200)


@bp.route("/wording/<name>/letter.pdf", methods=["POST"])
def wording_letter(name: str):
    """The letter this wording would make, with made-up details, as a PDF."""
    email = _email(name)
    if not email.letter:
        abort(404)
    form = WordingForm()
    if not form.validate_on_submit():
        abort(400)
    session = db_session()
    try:
        body = wording.check(session, name, form.body.data)
    except wording.WordingError:
        return wording_edit(name)
    letter = letters.letter_pdf(wording_sample.sample(session)["application"], name, body)
    response = Response(letter.pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "inline", filename=f"preview-{letter.filename}")
    return response


@bp.route("/wording/<name>/standard", methods=["POST"])
def wording_reset(name: str):
    email = _email(name)
    if not ActionForm().validate_on_submit():
        abort(400)
    wording.use_standard(db_session(), name, auth.staff_user())
    flash(f"“{email.title}”: the standard wording is used from now on.", "success")
    return redirect(url_for("admin.wording_list"))
