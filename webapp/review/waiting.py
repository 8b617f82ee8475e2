""" "Waiting for you", and each person's choice of how to hear news. Thin: services/waiting.py and
services/news.py decide."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField

from webapp import auth
from webapp.db import db_session
from webapp.models import Delivery, NewsKind
from webapp.review import bp
from webapp.services import news, waiting

DELIVERIES = [
    (Delivery.IMMEDIATE.value, "Email me at once"),
    (Delivery.DIGEST.value, "In a daily summary"),
    (Delivery.OFF.value, "No email"),
]


@bp.route("/waiting")
@login_required
def waiting_for_you():
    session, user = db_session(), auth.staff_user()
    return render_template(
        "review/waiting.html",
        items=waiting.for_user(session, user),
        triage=waiting.triage_count(session, user),
    )


def _choices_form():
    fields = {
        kind.name.lower(): RadioField(label, choices=DELIVERIES, widget=GovRadioInput())
        for kind, label in news.KINDS.items()
    }
    return type("NotificationChoicesForm", (FlaskForm,), fields)


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notification_choices():
    session, user = db_session(), auth.staff_user()
    current = news.choices(session, user)
    form = _choices_form()(data={kind.name.lower(): str(delivery) for kind, delivery in current.items()})
    if form.validate_on_submit():
        news.choose(session, user, {kind: Delivery(form[kind.name.lower()].data) for kind in NewsKind})
        flash("Your notification choices are saved.", "success")
        return redirect(url_for("review.notification_choices"))
    return render_template("review/notifications.html", form=form, kinds=news.KINDS), (
        422 if form.errors else 200
    )
