from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from webapp.db import db_session
from webapp.models import Group
from webapp.public import bp


@bp.route("/")
def home():
    return render_template("public/home.html")


@bp.route("/groups")
def groups():
    rows = db_session().scalars(select(Group).order_by(Group.position, Group.name)).all()
    return render_template("public/groups.html", groups=rows)
