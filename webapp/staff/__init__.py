from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from webapp.staff import force_account, views  # noqa: E402,F401  (registers the routes)
