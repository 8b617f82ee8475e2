"""The staff pages of a group's elections: open one (its timetable), follow it (the candidates, how many
have voted, never who voted for whom), cancel it before it is counted, and read the result."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_required

from webapp import auth
from webapp.clock import now
from webapp.db import db_session
from webapp.forms import attempt
from webapp.models import Election, ElectionRoll
from webapp.review import bp
from webapp.review.forms import ActionForm
from webapp.review.group_forms import ElectionForm
from webapp.review.helpers import INVALID, of_group, served_group
from webapp.services import elections


@bp.route("/groups/<slug>/elections", methods=["GET", "POST"])
@login_required
def group_elections(slug: str):
    group = served_group(slug)
    session = db_session()
    form = ElectionForm()
    opened: list[Election] = []
    if form.validate_on_submit() and attempt(
        form,
        lambda: opened.append(
            elections.open_election(
                session, group, auth.staff_user(), form.office.data, form.timetable(now())
            )
        ),
    ):
        flash("Election opened. Every member has been emailed: nominations are open.", "success")
        return redirect(url_for("review.group_election", slug=slug, election_id=opened[0].id))
    listed = elections.of_group(session, group)
    for election in listed:
        elections.count(session, election)
    return render_template("review/elections.html", group=group, form=form, elections=listed), (
        INVALID if form.errors else 200
    )


@bp.route("/groups/<slug>/elections/<int:election_id>")
@login_required
def group_election(slug: str, election_id: int):
    group = served_group(slug)
    election = of_group(group, Election, election_id)
    session = db_session()
    elections.count(session, election)
    return render_template(
        "review/election.html",
        group=group,
        election=election,
        stage=elections.stage(election),
        everyone=elections.candidates(session, election, accepted_only=False),
        turnout=len(session.get_one(ElectionRoll, election.id).voted),
        action_form=ActionForm(),
    )


@bp.route("/groups/<slug>/elections/<int:election_id>/cancel", methods=["POST"])
@login_required
def cancel_election(slug: str, election_id: int):
    group = served_group(slug)
    election = of_group(group, Election, election_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if elections.cancel(db_session(), election, auth.staff_user()):
        flash("Election cancelled. Its votes will never be counted.", "success")
    return redirect(url_for("review.group_elections", slug=slug))
