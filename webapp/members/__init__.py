"""The members' own pages, under /members: signing in with an emailed link, their page (groups, meetings,
papers), their details, answering invitations, and leaving a group. Member-facing: every word is in the
catalogue, and in Welsh where the deployment offers it."""

from flask import Blueprint

bp = Blueprint("members", __name__, url_prefix="/members")

from webapp.members import (  # noqa: E402,F401  (registers the routes)
    election_views,
    expense_views,
    interest_views,
    views,
)


@bp.context_processor
def _signed_in() -> dict:
    """The member a page is for, to its layout (the sign-out button and navigation)."""
    from flask import g

    return {"member": g.get("member")}
