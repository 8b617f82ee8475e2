from __future__ import annotations

from flask import render_template

from webapp.db import db_session
from webapp.public import bp
from webapp.services import groups as group_service


@bp.route("/")
def home():
    return render_template("public/home.html")


@bp.route("/groups")
def groups():
    # Open groups first (in the deployment's order), then those not taking applications.
    ordered = sorted(group_service.in_order(db_session()), key=lambda group: not group.open_to_applicants)
    return render_template("public/groups.html", groups=ordered)
