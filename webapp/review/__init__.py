from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/staff")

from webapp.review import groups, views  # noqa: E402,F401  (registers the routes)
