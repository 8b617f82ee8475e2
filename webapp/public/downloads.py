"""The application and monitoring forms as fillable PDFs, for people who would rather email them."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template

from webapp import languages
from webapp.db import db_session
from webapp.languages import group_text
from webapp.pdf.forms import FormGroup, cached_form
from webapp.public import bp
from webapp.services import groups

FILENAMES = {"application": "iag-application-form.pdf", "monitoring": "iag-equal-opportunities-form.pdf"}


@bp.route("/forms")
def forms():
    return render_template("public/forms.html")


@bp.route("/forms/<kind>-form.pdf")
def form_pdf(kind: str):
    if kind not in FILENAMES:
        return render_template("errors/404.html"), 404
    offered = [
        FormGroup(
            group.name,
            group_text(group, "requirements"),
            group.screening_may_apply,
            group_text(group, "name"),
        )
        for group in groups.open_to_applicants(db_session())
    ]
    deployment = current_app.extensions["deployment"]
    cache = Path(current_app.instance_path) / "cache"
    data = cached_form(kind, cache, deployment.application_pages, offered, deployment, languages.current())
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{FILENAMES[kind]}"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
