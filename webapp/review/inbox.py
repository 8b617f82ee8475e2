"""The inbox: every application the user may see, filtered and searched, and assigning several at once."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from webapp import auth
from webapp.clock import now
from webapp.db import db_session
from webapp.models import StaffUser
from webapp.review import bp
from webapp.review.forms import ActionForm
from webapp.services import InputError, access, casefile, search, waiting
from webapp.services import inbox as inbox_service
from webapp.workflow import State


@bp.route("/")
@login_required
def inbox():
    session, user = db_session(), auth.staff_user()
    filters = inbox_service.Filters(
        **{k: request.args.get(k, "") for k in inbox_service.Filters.__dataclass_fields__}
    )
    page = inbox_service.page(session, user, filters)
    return render_template(
        "review/inbox.html",
        page=page,
        filters=filters,
        states=[s for s in State if s != State.DRAFT],
        ages=inbox_service.AGES,
        search_cap=search.CAP,
        groups=inbox_service.visible_groups(session, user),
        assignees=inbox_service.colleagues(session, user),
        action_form=ActionForm(),
        now=now(),
        unread=waiting.unread(session, user, [a.id for a in page.applications]),
    )


@bp.route("/bulk-assign", methods=["POST"])
@login_required
def bulk_assign():
    if not ActionForm().validate_on_submit():
        abort(400)
    session, user = db_session(), auth.staff_user()
    assignee = session.get(StaffUser, request.form.get("assignee_id", type=int) or -1)
    ids = request.form.getlist("application_id", type=int)
    if assignee is None or not ids:
        flash("Select at least one application, and the person to assign them to.", "error")
        return redirect(url_for("review.inbox"))
    for application_id in ids:
        application = access.application(session, user, application_id)
        try:
            casefile.assign(session, application, assignee, by=user)
        except InputError as exc:
            session.rollback()
            flash(f"{application.reference}: {exc}. Nothing was assigned.", "error")
            return redirect(url_for("review.inbox"))
    flash(
        f"Assigned {len(ids)} {'application' if len(ids) == 1 else 'applications'} to {assignee.name}.",
        "success",
    )
    return redirect(url_for("review.inbox"))
