from flask import Blueprint

bp = Blueprint("public", __name__)

from webapp.public import apply, downloads, status, views  # noqa: E402,F401  (registers the routes)
