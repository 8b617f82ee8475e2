from __future__ import annotations

from flask import render_template
from flask_login import login_required
from sqlalchemy import select

from webapp import auth
from webapp.db import db_session
from webapp.models import Application, Group
from webapp.review import bp
from webapp.services.actors import group_ids_served
from webapp.staff.forms import SignOutForm
from webapp.workflow import State


@bp.route("/")
@login_required
def inbox():
    user = auth.staff_user()
    served = group_ids_served(user)
    query = (
        select(Application)
        .where(Application.state != State.DRAFT)
        .order_by(Application.submitted_at, Application.id)
        .limit(50)
    )
    groups = select(Group).order_by(Group.position)
    if served is not None:
        query = query.where(Application.group_id.in_(served))
        groups = groups.where(Group.id.in_(served))
    session = db_session()
    return render_template(
        "review/inbox.html",
        applications=session.scalars(query).all(),
        groups=session.scalars(groups).all(),
        user=user,
        sign_out_form=SignOutForm(),
    )
