"""The new member's pages: signing the confidentiality agreement, their signed agreement and meetings; and
the public page that checks a signed agreement."""

from __future__ import annotations

import hashlib

from flask import abort, current_app, render_template, request
from flask_babel import gettext

from webapp import languages
from webapp.db import db_session
from webapp.files import file_store
from webapp.models import Application, Attachment, Group, Membership
from webapp.pdf.seal import verify as verify_seal
from webapp.public import bp
from webapp.public.forms import SignForm, VerifyForm
from webapp.public.status import _application
from webapp.services import InputError, documents, meetings, members, signing


@bp.route("/sign/<token>", methods=["GET", "POST"])
def sign(token: str):
    session = db_session()
    if signing.signed_with(session, token) is not None:  # signed already: a refresh, a second click
        return _signed(token)
    try:
        sign_request = signing.by_token(session, token)
    except signing.Refused as refusal:
        return render_template("public/sign/refused.html", refusal=refusal), 410
    application = session.get_one(Application, sign_request.application_id)
    form = SignForm()
    if form.validate_on_submit():
        try:
            signed = signing.sign(
                session,
                token,
                form.full_name.data,
                request.form.get("shown", ""),
                request.remote_addr or "",
                request.headers.get("User-Agent", ""),
                language=request.form.get("language", languages.current()),
            )
        except signing.Refused as refusal:
            return render_template("public/sign/refused.html", refusal=refusal), 409
        except InputError as exc:
            form.full_name.errors = [*form.full_name.errors, exc.message]
        else:
            return _signed(token, signed.status_token)
    else:
        signing.opened(session, sign_request)  # evidence: the emailed link was opened (verifies the address)
    group = application.known_group
    # The documents in the page's language: the person signs the text they read, in the language they read
    # it in, and the sealed agreement is made in that language.
    shown = documents.shown_to(session, group, application.known_applicant.name, languages.current())
    return render_template("public/sign/sign.html", form=form, shown=shown, group=group), (
        422 if form.errors else 200
    )


def _signed(token: str, status_token: str | None = None):
    """The signed page, with the sealed agreement to download while the signing link is in time."""
    attachment = signing.signed_with(db_session(), token)
    group = db_session().get_one(Application, attachment.application_id).known_group if attachment else None
    return render_template("public/sign/signed.html", group=group, token=token, status_token=status_token)


@bp.route("/sign/<token>/signed-agreement.pdf")
def signed_pdf(token: str):
    attachment = signing.signed_with(db_session(), token)
    if attachment is None:
        abort(404)
    response = current_app.response_class(
        file_store(current_app).read(attachment.storage_name), mimetype="application/pdf"
    )
    response.headers.set("Content-Disposition", "attachment", filename=attachment.filename)
    return response


def _membership(token: str) -> Membership:
    application = _application(token)
    membership = members.of(db_session(), application)
    if membership is None:
        abort(404)
    return membership


@bp.route("/my-application/<token>/agreement.pdf")
def agreement_pdf(token: str):
    membership = _membership(token)
    if membership.agreement_attachment_id is None:
        abort(404)
    attachment = db_session().get_one(Attachment, membership.agreement_attachment_id)
    response = current_app.response_class(
        file_store(current_app).read(attachment.storage_name), mimetype="application/pdf"
    )
    response.headers.set("Content-Disposition", "attachment", filename=attachment.filename)
    return response


@bp.route("/my-application/<token>/meetings.ics")
def meetings_calendar(token: str):
    membership = _membership(token)
    if membership.left_at is not None:  # the group's meetings are for its current members
        abort(404)
    group = db_session().get_one(Group, membership.group_id)
    # In the member's language: a calendar app fetching the file carries no visit's language.
    language = db_session().get_one(Application, membership.application_id).language
    data = meetings.calendar(group, meetings.future(db_session(), group.id), language)
    response = current_app.response_class(data, mimetype="text/calendar")
    response.headers.set("Content-Disposition", "attachment", filename="meetings.ics")
    return response


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    form = VerifyForm()
    verdict = found = found_group = None
    if form.validate_on_submit():
        data = form.pdf.data.read()
        verdict = verify_seal(data, signing.seal_settings(current_app))
        if verdict.sealed_here:
            found = signing.signed_as(db_session(), hashlib.sha256(data).hexdigest())
            if found is not None:
                found_group = db_session().get_one(Application, found.application_id).known_group
        else:  # a failure is an error on the file chosen; a panel is for confirmations
            form.pdf.errors = [
                gettext("Not a valid agreement from this service. %(why)s", why=verdict.summary)
            ]
    return render_template(
        "public/verify.html", form=form, verdict=verdict, found=found, found_group=found_group
    ), (422 if form.errors else 200)
