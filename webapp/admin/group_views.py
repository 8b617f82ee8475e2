"""Groups: open or closed to applicants, who can join, where they meet."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from webapp import auth
from webapp.admin import bp
from webapp.admin.forms import GroupForm
from webapp.db import db_session
from webapp.review.helpers import INVALID
from webapp.services import groups


@bp.route("/groups")
def groups_list():
    return render_template("admin/groups.html", groups=groups.in_order(db_session()))


@bp.route("/groups/<slug>", methods=["GET", "POST"])
def group_edit(slug: str):
    session = db_session()
    group = groups.by_slug(session, slug)
    if group is None:
        abort(404)
    form = GroupForm()
    if form.validate_on_submit():
        changed = groups.update(session, group, form.changes(), auth.staff_user())
        flash(f"{group.name}: saved." if changed else "Nothing was changed.", "success")
        return redirect(url_for("admin.groups_list"))
    if not form.is_submitted():
        form.fill(group)
    return render_template("admin/group.html", group=group, form=form), (INVALID if form.errors else 200)
