"""The public pages that are not a journey: home, the groups, the privacy notice, accessibility."""

from __future__ import annotations

from flask import abort, current_app, render_template

from webapp import languages
from webapp.clock import period_in_words
from webapp.db import db_session
from webapp.public import bp
from webapp.services import groups as group_service
from webapp.services import papers


@bp.route("/")
def home():
    return render_template("public/home.html")


@bp.route("/groups")
def groups():
    # Open groups first (in the deployment's order), then those not taking applications.
    ordered = sorted(group_service.in_order(db_session()), key=lambda group: not group.open_to_applicants)
    return render_template("public/groups.html", groups=ordered, published=papers.published(db_session()))


@bp.route("/groups/papers/<int:paper_id>")
def published_paper(paper_id: int):
    """A group's public paper (never a confidential one: those are for members, stamped, on their page)."""
    copy = papers.public_copy(db_session(), paper_id)
    if copy is None:
        abort(404)
    response = current_app.response_class(copy.data, mimetype=copy.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=copy.filename)
    return response


@bp.route("/privacy")
def privacy():
    """The privacy notice: the force's own, or the standard one with this deployment's periods."""
    config = current_app.config
    kept = {
        name: period_in_words(config[f"RETENTION_{name.upper()}_DAYS"], languages.current())
        for name in ("draft", "closed", "member", "email")
    }
    return render_template("public/privacy.html", kept=kept)


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement, in the form public sector bodies publish, from the suite's checks."""
    return render_template("public/accessibility.html")
