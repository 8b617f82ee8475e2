"""The report pages. Thin: they check the role, ask the service for figures and show them."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import login_required

from webapp import auth
from webapp.db import db_session
from webapp.pdf import print_template
from webapp.reports import bp
from webapp.review.helpers import served_group, staff_context
from webapp.services import access, equality_report, events
from webapp.services import annual_report as annual_report_service
from webapp.services import equality as equality_store
from webapp.services import pipeline as pipeline_service
from webapp.services.actors import staff
from webapp.workflow import Role, State

bp.context_processor(staff_context)

YEARS_BACK = 10


def _reporter() -> None:
    if not access.holds(auth.staff_user(), Role.EQUALITY_REPORTER, Role.SYSTEM_ADMIN):
        abort(404)


def _choice() -> tuple[int, str, list[str]]:
    """The year and group asked for; anything else is explained on the page and the defaults used."""
    session = db_session()
    latest = equality_report.this_year()
    errors = []
    year_text = request.args.get("year", str(latest))
    year = int(year_text) if year_text.isdigit() else 0
    if not latest - YEARS_BACK < year <= latest:
        errors.append(f"Choose a year from {latest - YEARS_BACK + 1} to {latest}")
        year = latest
    group = request.args.get("group", equality_report.ALL)
    if group not in dict(equality_report.group_choices(session)):
        errors.append("Choose a group from the list")
        group = equality_report.ALL
    return year, group, errors


@bp.route("/equality")
@login_required
def equality():
    _reporter()
    year, group, errors = _choice()
    session = db_session()
    report = equality_report.build(session, year, group)
    equality_report.viewed(session, auth.staff_user(), report, "page")
    latest = equality_report.this_year()
    return render_template(
        "reports/equality.html",
        report=report,
        errors=errors,
        years=list(range(latest, latest - YEARS_BACK, -1)),
        groups=equality_report.group_choices(session),
        stages=equality_report.STAGE_NAMES,
        unread_forms=equality_store.unread_files(session),
    )


@bp.route("/equality/forms/<int:file_id>")
@login_required
def equality_form(file_id: int):
    """An equal opportunities form that came by email and could not be read by machine, opened by the
    equality reporter (or a system admin) to type its answers in. Each opening is on the audit log."""
    _reporter()
    session = db_session()
    found = equality_store.stored_file(session, file_id)
    if found is None:
        abort(404)
    kept, data = found
    events.record(
        session, staff(auth.staff_user()), "equality form opened", events.Subject("equality file", kept.id)
    )
    response = Response(data, mimetype=kept.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=kept.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/equality.csv")
@login_required
def equality_csv():
    _reporter()
    year, group, errors = _choice()
    if errors:
        abort(404)
    session = db_session()
    report = equality_report.build(session, year, group)
    equality_report.viewed(session, auth.staff_user(), report, "csv")
    response = Response(equality_report.csv_text(report), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=f"equality-{year}-{group}.csv")
    return response


@bp.route("/dashboard")
@login_required
def pipeline():
    user = auth.staff_user()
    seen = access.scope(user)
    if not (seen.groups or seen.everything):
        abort(404)
    return render_template(
        "reports/pipeline.html",
        dashboard=pipeline_service.build(db_session(), user),
        states=[s for s in State if s != State.DRAFT],
        waiting=pipeline_service.WAITING,
    )


@bp.route("/groups/<slug>/annual-report")
@login_required
def annual_report(slug: str):
    """A group's annual report for a year (this year unless asked), for the group's staff."""
    group = served_group(slug)
    report = annual_report_service.build(db_session(), group, _year())
    return render_template(
        "reports/annual.html",
        group=group,
        report=report,
        winners=report.winners,
        years=list(range(equality_report.this_year(), equality_report.this_year() - 5, -1)),
    )


@bp.route("/groups/<slug>/annual-report.pdf")
@login_required
def annual_report_pdf(slug: str):
    group = served_group(slug)
    report = annual_report_service.build(db_session(), group, _year())
    pdf = print_template("pdf/annual_report.html", group=group, report=report, winners=report.winners)
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set(
        "Content-Disposition", "attachment", filename=f"{group.slug}-annual-report-{report.year}.pdf"
    )
    return response


def _year() -> int:
    latest = equality_report.this_year()
    asked = request.args.get("year", str(latest))
    return int(asked) if asked.isdigit() and latest - YEARS_BACK < int(asked) <= latest else latest
