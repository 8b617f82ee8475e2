from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

import segno
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from webapp import auth, entra
from webapp.clock import now
from webapp.db import db_session
from webapp.models import StaffUser
from webapp.services import sign_in as sign_in_service
from webapp.services import staff as accounts
from webapp.staff import bp
from webapp.staff.forms import CodeForm, EnrolForm, SignInForm, SignOutForm

PENDING_MINUTES = 5


def _policy() -> accounts.Policy:
    return accounts.Policy.of(current_app.config)


def client_ip() -> str:
    return request.remote_addr or "unknown"


def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site, else the inbox. Checked as sent and once decoded: no
    scheme or host, no control characters or spaces (a browser drops a tab, so "/%09/evil" would become
    "//evil"), no backslash."""
    if not target:
        return url_for("review.inbox")
    for form in (target, unquote(target)):
        if not form.startswith("/") or form.startswith("//") or "\\" in form:
            return url_for("review.inbox")
        if any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in form):
            return url_for("review.inbox")
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return url_for("review.inbox")
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("review.inbox"))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        try:
            user = sign_in_service.check_password(
                db_session(), form.email.data, form.password.data, client_ip(), _policy()
            )
        except accounts.StaffError as exc:
            error = str(exc)
        else:
            session["pending_sign_in"] = {
                "user": user.id,
                "at": now().isoformat(),
                "next": safe_next(request.args.get("next")),
            }
            return redirect(url_for("staff.sign_in_code"))
    return render_template(
        "staff/sign_in.html",
        form=form,
        error=error,
        force_sign_in=entra.enabled(),
        password_for_all=not _policy().linked_need_force_account,
    )


def _pending_user() -> StaffUser | None:
    pending = session.get("pending_sign_in")
    if not pending:
        return None
    started = datetime.fromisoformat(pending["at"])
    if now() - started > timedelta(minutes=PENDING_MINUTES):
        session.pop("pending_sign_in", None)
        return None
    return db_session().get(StaffUser, pending["user"])


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code():
    user = _pending_user()
    if user is None:
        flash("Enter your email address and password again.", "info")
        return redirect(url_for("staff.sign_in"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        try:
            sign_in_service.check_code(db_session(), user, form.code.data, client_ip(), _policy())
        except accounts.StaffError as exc:
            error = str(exc)
        else:
            target = session["pending_sign_in"]["next"]
            auth.sign_in(user)
            return redirect(safe_next(target))
    return render_template("staff/sign_in_code.html", form=form, error=error)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    if not SignOutForm().validate_on_submit():
        abort(400)
    accounts.sign_out(db_session(), auth.staff_user())
    id_token = session.get("id_token")
    auth.sign_out()
    flash("You have signed out.", "success")
    return entra.provider_logout(id_token) or redirect(url_for("staff.sign_in"))


@bp.route("/enrol/<token>", methods=["GET", "POST"])
def enrol(token: str):
    user = accounts.user_for_enrolment(db_session(), token)
    if user is None:
        return render_template("staff/enrol_expired.html"), 404
    form = EnrolForm()
    error = None
    if form.validate_on_submit():
        try:
            accounts.complete_enrolment(db_session(), user, form.password.data, form.code.data)
        except accounts.StaffError as exc:
            error = str(exc)
        else:
            flash("Your account is ready. Sign in with your password and a code from your app.", "success")
            return redirect(url_for("staff.sign_in"))
    uri = accounts.provisioning_uri(user)
    qr_svg = segno.make(uri, error="m").svg_data_uri(scale=5)
    return render_template(
        "staff/enrol.html", form=form, error=error, user=user, qr_svg=qr_svg, secret=user.totp_secret
    )
