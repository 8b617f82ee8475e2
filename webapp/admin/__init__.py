"""System administration, for system admins only: groups, staff accounts and their roles, the wording of
emails and letters, and a person's data (subject access and erasure)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")

from webapp.admin import group_views, people_views, staff_views, views, wording_views  # noqa: E402,F401
