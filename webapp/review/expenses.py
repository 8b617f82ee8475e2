"""The staff pages of a group's expenses: claims waiting for a decision, one claim with its receipts (to
approve, query or reject), the approved claims as CSV for finance, marking them paid, and the totals per
member per year."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from webapp import auth
from webapp.db import db_session
from webapp.files import file_store
from webapp.forms import attempt
from webapp.models import ClaimReceipt, ClaimStatus, ExpenseClaim
from webapp.review import bp
from webapp.review.forms import ActionForm
from webapp.review.group_forms import ClaimDecisionForm
from webapp.review.helpers import INVALID, of_group, served_group
from webapp.services import InputError, expenses, members


@bp.route("/groups/<slug>/expenses")
@login_required
def group_expenses(slug: str):
    group = served_group(slug)
    session = db_session()
    return render_template(
        "review/expenses.html",
        group=group,
        claims=expenses.of_group(session, group),
        approved=expenses.of_group(session, group, ClaimStatus.APPROVED),
        totals=expenses.totals(session, group),
        action_form=ActionForm(),
    )


@bp.route("/groups/<slug>/expenses/<int:claim_id>", methods=["GET", "POST"])
@login_required
def group_claim(slug: str, claim_id: int):
    group = served_group(slug)
    claim = of_group(group, ExpenseClaim, claim_id)
    form = ClaimDecisionForm()
    if form.validate_on_submit() and attempt(
        form,
        lambda: expenses.decide(db_session(), claim, auth.staff_user(), form.decision.data, form.reason.data),
    ):
        flash(f"Claim {claim.status}. The member has been emailed.", "success")
        return redirect(url_for("review.group_expenses", slug=slug))
    name = members.name_of(db_session(), claim.membership_id)
    return render_template(
        "review/claim.html",
        group=group,
        claim=claim,
        name=name,
        receipts=expenses.receipts(db_session(), claim),
        form=form,
    ), (INVALID if form.errors else 200)


@bp.route("/groups/<slug>/expenses/<int:claim_id>/receipts/<int:receipt_id>")
@login_required
def claim_receipt(slug: str, claim_id: int, receipt_id: int):
    claim = of_group(served_group(slug), ExpenseClaim, claim_id)
    receipt = db_session().get(ClaimReceipt, receipt_id)
    if receipt is None or receipt.claim_id != claim.id:
        abort(404)
    response = current_app.response_class(
        file_store(current_app).read(receipt.storage_name), mimetype=receipt.content_type
    )
    response.headers.set("Content-Disposition", "attachment", filename=expenses.download_name(receipt))
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"  # as every attachment
    return response


@bp.route("/groups/<slug>/expenses.csv")
@login_required
def group_expenses_csv(slug: str):
    group = served_group(slug)
    rows = expenses.of_group(db_session(), group, ClaimStatus.APPROVED)
    response = Response(expenses.finance_csv(rows, group), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=f"{group.slug}-expenses-to-pay.csv")
    return response


@bp.route("/groups/<slug>/expenses/paid", methods=["POST"])
@login_required
def mark_claims_paid(slug: str):
    group = served_group(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    wanted = {int(i) for i in request.form.getlist("claim") if i.isdigit()}
    claims = [
        c for c, _name in expenses.of_group(db_session(), group, ClaimStatus.APPROVED) if c.id in wanted
    ]
    try:
        paid = expenses.mark_paid(db_session(), claims, auth.staff_user())
    except InputError as exc:
        flash(f"{exc.message}. No claims were marked paid.", "error")
        return redirect(url_for("review.group_expenses", slug=slug))
    flash(
        f"{paid} {'claim' if paid == 1 else 'claims'} marked paid. The members have been emailed.", "success"
    )
    return redirect(url_for("review.group_expenses", slug=slug))
