"""Entering an application taken by phone or on paper. Thin: the page forms of the web check the answers,
services/entered.py records them."""

from __future__ import annotations

import secrets

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import login_required
from govuk_frontend_wtf.main import wtforms_errors
from wtforms.validators import Optional

from webapp import auth
from webapp.db import db_session
from webapp.forms import attempt
from webapp.models import Source
from webapp.public.forms import form_class
from webapp.review import bp
from webapp.review.forms import EntryForm
from webapp.review.helpers import INVALID
from webapp.services import access, entered, groups


def _pages():
    return current_app.extensions["deployment"].application_pages


def _forms(pages, source: str):
    """Each application page's own form, reading this one request (no CSRF of their own: the entry form
    carries it). A person without email can still apply by phone or post when a phone number is given."""
    forms = []
    for page in pages:
        form = form_class(page)(meta={"csrf": False})
        no_email = not request.form.get("email", "").strip() and request.form.get("phone", "").strip()
        if "email" in form and source in entered.SOURCES and no_email:
            form.email.validators = [Optional()]
        forms.append((page, form))
    return forms


@bp.route("/applications/new", methods=["GET", "POST"])
@login_required
def enter_application():
    user = auth.staff_user()
    session = db_session()
    seen = access.scope(user)
    if not (seen.groups or seen.everything):
        abort(404)  # serves no group: nothing to enter applications for
    open_groups = [g for g in groups.open_to_applicants(session) if access.serves(user, g.id)]
    entry = EntryForm()
    entry.group.choices = [("", "Choose a group"), *[(str(g.id), g.name) for g in open_groups]]
    if request.method == "GET":
        entry.entry_key.data = secrets.token_urlsafe(16)
    pages = _pages()
    forms = _forms(pages, request.form.get("source", ""))
    if request.method == "POST":
        entry_valid = entry.validate_on_submit()
        pages_valid = all([form.validate() for _page, form in forms])  # every page, so every error shows
        if entry_valid and pages_valid:
            answers = {key: value for _page, form in forms for key, value in form.answers().items()}
            group = next(g for g in open_groups if str(g.id) == entry.group.data)
            made = []
            ok = attempt(
                entry,
                lambda: made.append(
                    entered.enter(
                        session, user, group, Source(entry.source.data), answers, entry.entry_key.data
                    )
                ),
            )
            if ok:
                application, _created = made[0]
                return redirect(url_for("review.application_page", application_id=application.id))
    errors = [
        error
        for form in [entry, *(form for _page, form in forms)]
        for error in wtforms_errors(form)["errorList"]
    ]
    status = INVALID if request.method == "POST" else 200
    return render_template(
        "review/enter.html", entry=entry, forms=forms, groups=open_groups, errors=errors
    ), status
