"""System administration: a person's data (subject access and erasure). System admins only."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")

from webapp.admin import views  # noqa: E402,F401  (registers the routes)
