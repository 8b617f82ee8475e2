"""Figures for staff: the equality report (aggregates of the monitoring answers, for the equality reporter
and system admins) and the pipeline dashboard (for the staff of each group). Kept apart from the review
pages, which never read equality answers."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/staff")

from webapp.reports import views  # noqa: E402,F401  (registers the routes)
