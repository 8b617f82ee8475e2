"""Who may use the admin screens (system admins; anyone else is told there is no such page), and their
index."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_login import login_required

from webapp import auth
from webapp.admin import bp
from webapp.db import db_session
from webapp.review.helpers import staff_context
from webapp.services import access, actors
from webapp.services import sign_in as sign_in_service
from webapp.services import staff as accounts
from webapp.workflow import Role

bp.context_processor(staff_context)


@bp.before_request
@login_required
def _system_admins_only():
    if not access.holds(auth.staff_user(), Role.SYSTEM_ADMIN):
        abort(404)


def acting() -> actors.Actor:
    """The signed-in admin, acting."""
    return actors.staff(auth.staff_user())


def confirm_with_code(code: str | None) -> None:
    """The signed-in admin's own current code, before a step that gives or takes over accounts (erasure,
    the system admin role, a second-factor reset). Raises StaffError when it is not right."""
    sign_in_service.confirm_it_is_you(
        db_session(),
        auth.staff_user(),
        code or "",
        request.remote_addr or "unknown",
        accounts.Policy.of(current_app.config),
    )


@bp.route("/")
def index():
    return render_template("admin/index.html")
