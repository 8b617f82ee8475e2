"""Staff sessions with Flask-Login. A session names the user *and* their session generation, so bumping the
generation (logout, disabling, a role change) ends every session of that user, stolen cookies included.
Sessions also end after 30 minutes idle and 12 hours in all."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from webapp.clock import now
from webapp.db import db_session
from webapp.models import StaffUser

login_manager = LoginManager()


class SessionUser(UserMixin):
    """What Flask-Login holds for the request: the staff user row and its session identity."""

    def __init__(self, user: StaffUser) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_generation}"


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "staff.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    # Flask-Login's own identifier trusts an X-Forwarded-For header any client can send. Ours uses the
    # address the request came from: after IAG_TRUSTED_PROXIES has been applied (ProxyFix), that is the
    # proxy's word for it, and without a proxy the real peer.
    login_manager._session_identifier_generator = session_identifier
    app.before_request(_enforce_session_limits)


def session_identifier() -> str:
    """Where a session may be used: the address the request came from and the browser (staff and members
    alike). A copied cookie used from elsewhere is not this session."""
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{request.remote_addr or ''}|{agent}".encode()).hexdigest()


@login_manager.user_loader
def _load(identity: str) -> SessionUser | None:
    user_id, _, generation = identity.partition(":")
    if not user_id.isdigit() or not generation.isdigit():
        return None
    user = db_session().get(StaffUser, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return SessionUser(user)


def sign_in(user: StaffUser, id_token: str | None = None) -> None:
    """Start the staff session (`id_token`: the force account's, kept for signing out at the provider)."""
    session.clear()  # a fresh session on privilege change: nothing from before sign-in carries over
    login_user(SessionUser(user))
    stamp = now().isoformat()
    session["signed_in_at"] = stamp
    session["last_seen"] = stamp
    if id_token:
        session["id_token"] = id_token
    session.permanent = False


def sign_out() -> None:
    logout_user()
    session.clear()


def _enforce_session_limits():
    if request.endpoint in {"static", "govuk_asset"} or "_user_id" not in session:
        return None
    if not current_user.is_authenticated:
        session.clear()
        return None
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    moment = now()
    try:
        signed_in_at = datetime.fromisoformat(session["signed_in_at"])
        last_seen = datetime.fromisoformat(session["last_seen"])
    except (KeyError, ValueError):
        return _expire("Sign in to continue.")
    if moment - last_seen > idle:
        return _expire(
            "You were signed out because you had not done anything for "
            f"{current_app.config['SESSION_IDLE_MINUTES']} minutes."
        )
    if moment - signed_in_at > absolute:
        return _expire(
            f"You were signed out because you signed in more than "
            f"{current_app.config['SESSION_MAX_HOURS']} hours ago."
        )
    session["last_seen"] = moment.isoformat()
    return None


def _expire(message: str):
    sign_out()
    flash(message, "info")
    return redirect(url_for("staff.sign_in", next=request.full_path if request.method == "GET" else None))


def staff_user() -> StaffUser:
    """The signed-in staff user (call only behind login_required)."""
    return current_user.user
