"""Who may use the admin screens (system admins; anyone else is told there is no such page), and their
index."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import login_required

from webapp import auth
from webapp.admin import bp
from webapp.review.helpers import staff_context
from webapp.services import access, actors
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


@bp.route("/")
def index():
    return render_template("admin/index.html")
