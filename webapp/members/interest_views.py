"""The member's register of interests: add one, end one, confirm the register is up to date."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext

from webapp.db import db_session
from webapp.forms import attempt
from webapp.members import bp
from webapp.members.forms import ActionForm, InterestForm
from webapp.members.session import current_member, member_required
from webapp.services import InputError, interests


@bp.route("/interests", methods=["GET", "POST"])
@member_required
def interests_page():
    member = current_member()
    form = InterestForm()
    if form.validate_on_submit() and attempt(
        form, lambda: interests.add(db_session(), member, form.what.data, form.since.data)
    ):
        flash(gettext("Added to your register of interests."), "success")
        return redirect(url_for("members.interests_page"))
    return render_template(
        "members/interests.html",
        member=member,
        form=form,
        entries=interests.register(db_session(), member),
        due=interests.due(member),
        action_form=ActionForm(),
    ), (422 if form.errors else 200)


@bp.route("/interests/<int:interest_id>/end", methods=["POST"])
@member_required
def end_interest(interest_id: int):
    if ActionForm().validate_on_submit():
        try:
            interests.end(db_session(), current_member(), interest_id)
        except InputError as exc:
            flash(exc.message, "error")
        else:
            flash(gettext("Marked as ended."), "success")
    return redirect(url_for("members.interests_page"))


@bp.route("/interests/confirm", methods=["POST"])
@member_required
def confirm_interests():
    if ActionForm().validate_on_submit():
        interests.confirm(db_session(), current_member())
        flash(gettext("Thank you. Your register of interests is confirmed as up to date."), "success")
    return redirect(url_for("members.interests_page"))
