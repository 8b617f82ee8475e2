from flask import Blueprint

bp = Blueprint("public", __name__)

from webapp.public import apply, downloads, joining, status, views  # noqa: E402,F401  (registers the routes)
