from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/staff")

from webapp.review import (  # noqa: E402, F401  (registers the routes)
    application,
    elections,
    entry,
    expenses,
    group_work,
    groups,
    inbox,
    papers,
    steps,
    triage,
    waiting,
    writing,
)
from webapp.review.helpers import staff_context  # noqa: E402

bp.context_processor(staff_context)
