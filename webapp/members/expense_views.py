"""The member's expenses: their claims and totals, a new claim with receipts, and answering a query."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext

from webapp.clock import now
from webapp.db import db_session
from webapp.forms import attempt
from webapp.members import bp
from webapp.members.forms import ClaimForm, QueryAnswerForm
from webapp.members.session import current_member, member_required
from webapp.models import ExpenseClaim, Group
from webapp.money import pounds
from webapp.services import access, expenses, meetings, members


def _receipts(field) -> list[expenses.Receipt]:
    files = [f for f in (field.data or []) if f and f.filename]
    return [expenses.Receipt(f.filename, f.read()) for f in files]


@bp.route("/expenses")
@member_required
def expenses_page():
    member = current_member()
    claims = expenses.of_member(db_session(), member)
    year = now().year
    return render_template(
        "members/expenses.html",
        claims=claims,
        year=year,
        this_year=pounds(expenses.member_year_total(claims, year)),
        status_words=expenses.status_words,
    )


@bp.route("/expenses/new", methods=["GET", "POST"])
@member_required
def new_claim():
    member, session = current_member(), db_session()
    current = members.current(session, member)
    groups = {m.id: session.get_one(Group, m.group_id) for m in current}
    form = ClaimForm()
    form.group.choices = [(str(m.id), groups[m.id].name) for m in current]
    if len(current) == 1:  # one group: nothing to choose (the question is not shown)
        form.group.data = str(current[0].id)
    picked = next((m for m in current if str(m.id) == (form.group.data or "")), None)
    chosen = picked or current[0]
    form.meeting_id.choices = [("", gettext("Not for a meeting"))] + [
        (str(m.id), f"{groups[chosen.id].name}: {m.starts_at:%d %B %Y}")
        for m in meetings.recent_and_coming(session, groups[chosen.id])
        if m.starts_at <= now()
    ]
    valid = form.validate_on_submit()
    if form.is_submitted() and picked is None:
        form.group.errors = [gettext("Choose the group")]
    elif valid:
        claim = expenses.Claim(
            spent_on=form.spent_on.data,
            purpose=form.purpose.data,
            miles=form.miles.data,
            public_transport=form.public_transport.data,
            parking=form.parking.data,
            other=form.other.data,
            other_note=form.other_note.data,
            meeting_id=int(form.meeting_id.data) if form.meeting_id.data else None,
            receipts=_receipts(form.receipts),
        )
        made: list[ExpenseClaim] = []
        if attempt(form, lambda: made.append(expenses.submit(session, chosen, member, claim))):
            total = pounds(made[0].total_pence)
            flash(gettext("Thank you. Your claim of %(total)s has been sent.", total=total), "success")
            return redirect(url_for("members.claim", claim_id=made[0].id))
    return render_template("members/new_claim.html", form=form, one_group=len(current) == 1), (
        422 if form.errors else 200
    )


@bp.route("/expenses/<int:claim_id>", methods=["GET", "POST"])
@member_required
def claim(claim_id: int):
    member = current_member()
    found = access.member_claim(db_session(), member, claim_id)
    form = QueryAnswerForm()
    if form.validate_on_submit() and attempt(
        form,
        lambda: expenses.answer_query(
            db_session(), found, member, form.answer.data, _receipts(form.receipts)
        ),
    ):
        flash(gettext("Thank you. Your answer has been sent."), "success")
        return redirect(url_for("members.claim", claim_id=found.id))
    return render_template(
        "members/claim.html",
        claim=found,
        group=db_session().get_one(Group, found.group_id),
        receipts=expenses.receipts(db_session(), found),
        form=form,
        status_words=expenses.status_words,
    ), (422 if form.errors else 200)
