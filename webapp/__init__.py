"""IAG Membership: the Flask application factory."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask, g, render_template, request, send_from_directory, session
from flask_wtf.csrf import CSRFError, CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from markupsafe import Markup
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from webapp import db, entra, languages, metrics, money, observability, ratelimits, safe_html
from webapp.config import PROJECT_ROOT, VERSION, load_settings
from webapp.deployment import load as load_deployment
from webapp.services import staff as staff_accounts
from webapp.services.access import Denied
from webapp.workflow import NotAllowed

GOVUK_DIST = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
csrf = CSRFProtect()
log = logging.getLogger(__name__)


FORM_BODY_LIMIT = 256 * 1024
UPLOAD_BODY_LIMIT = 30 * 1024 * 1024
# The endpoints that take a file.
# Where a file is uploaded, and the session key that must be there first (None: open to anyone): a
# stranger's 30 MB body is refused before it is read, not parsed for a CSRF token first.
UPLOADS: dict[str, str | None] = {
    "public.verify": None,
    "review.group_papers": "_user_id",
    "members.new_claim": "member",
    "members.claim": "member",
}


class DatabaseId(IntegerConverter):
    """The int converter, up to the largest id the database can hold."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


class IagFlask(Flask):
    def log_exception(self, exc_info) -> None:
        """Flask's error line names the URL: ours masks its tokens and escapes control characters."""
        self.logger.error(
            "Exception on %s [%s]", observability.logged_path(), request.method, exc_info=exc_info
        )


def create_app(config: dict[str, Any] | None = None) -> Flask:
    settings = load_settings(config)
    app = IagFlask(__name__, instance_path=settings["INSTANCE_PATH"], static_folder="static")
    app.config.update(settings)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["COOKIE_SECURE"],
        SESSION_COOKIE_NAME="iag_session",
        # Forms are small: a larger body is refused (413) before it is parsed, CSRF or rate limits, except
        # where a file is uploaded (UPLOADS).
        MAX_CONTENT_LENGTH=FORM_BODY_LIMIT,
        WTF_CSRF_TIME_LIMIT=None,  # tokens live as long as the session; the session has its own limits
    )
    if config:
        app.config.update({k: v for k, v in config.items() if k not in settings})
    observability.configure_logging(app.config["LOG_FORMAT"])
    _use_password_hashing(app)
    app.extensions["deployment"] = load_deployment(app.config["DEPLOYMENT_FILE"])

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(PROJECT_ROOT / "templates"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    @app.before_request  # before CSRF, which reads the body
    def _upload_limit() -> None:
        if request.endpoint in UPLOADS:
            needed = UPLOADS[request.endpoint]
            if needed is None or needed in session:
                request.max_content_length = UPLOAD_BODY_LIMIT

    csrf.init_app(app)
    db.init_app(app)

    from webapp import auth
    from webapp.admin import bp as admin_bp
    from webapp.members import bp as members_bp
    from webapp.public import bp as public_bp
    from webapp.reports import bp as reports_bp
    from webapp.review import bp as review_bp
    from webapp.staff import bp as staff_bp

    entra.check_settings(app.config)
    auth.init_app(app)
    languages.init_app(app)
    # An id too large for the database's integers is no page at all: "not found", not an error.
    app.url_map.converters["int"] = DatabaseId
    app.register_blueprint(public_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(admin_bp)

    from webapp.cli import register as register_cli

    register_cli(app)
    _register_assets(app)
    _register_errors(app)
    _register_response_hooks(app)
    ratelimits.init_app(app)  # after the hooks above: its refusal page needs the CSP nonce

    app.jinja_env.filters["paragraphs"] = _paragraphs
    app.jinja_env.filters["uk_time"] = languages.local_time  # in the page's (or email's) language
    app.jinja_env.filters["uk_date"] = languages.local_date
    app.jinja_env.filters["headings_below"] = _headings_below
    app.jinja_env.filters["pounds"] = money.pounds

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "deployment": app.extensions["deployment"],
            "csp_nonce": g.get("csp_nonce", ""),
            "version": VERSION,
        }

    return app


def _use_password_hashing(app: Flask) -> None:
    name = app.config["PASSWORD_HASHING"]
    if name not in staff_accounts.HASHING:
        raise ValueError(
            f"IAG_PASSWORD_HASHING must be one of {', '.join(staff_accounts.HASHING)}, not {name!r}"
        )
    if name == "test" and not app.config.get("TESTING"):
        raise ValueError("IAG_PASSWORD_HASHING=test is for the test suite only: use standard")
    staff_accounts.use_hashing(name)


def _headings_below(document_html: str, level: int) -> Markup:
    """A stored document (cleaned when it was saved) shown under a heading of `level`."""
    return Markup(safe_html.headings_below(document_html, level))  # noqa: S704


def _paragraphs(text: str | None, classes: str = "govuk-body") -> Markup:
    """Plain text with blank-line breaks, as escaped <p> elements."""
    parts = [p for p in (text or "").split("\n\n") if p.strip()]
    return Markup("\n").join(Markup('<p class="{}">{}</p>').format(classes, p) for p in parts)


def _register_assets(app: Flask) -> None:
    @app.route("/static/govuk/<path:filename>")
    def govuk_asset(filename: str):
        return send_from_directory(GOVUK_DIST, filename, max_age=86400)


def _register_errors(app: Flask) -> None:
    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return render_template("errors/404.html"), 405

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/too_large.html", upload=request.endpoint in UPLOADS), 413

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        if request.endpoint == "public.question":
            from webapp.public.apply import keep_answers_after_csrf_failure

            try:
                return keep_answers_after_csrf_failure()
            except NotFound:
                pass  # a page that does not exist: the plain message below
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(Denied)
    def denied(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed):
        return render_template("errors/not_allowed.html", reason=error.reason), 409

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("errors/500.html"), 500


def _register_response_hooks(app: Flask) -> None:
    observability.init_app(app)
    metrics.init_app(app)

    @app.before_request
    def _nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    app.after_request(db.commit_if_ok)

    @app.after_request
    def _security_headers(response):
        nonce = g.get("csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; "
            f"form-action 'self'{entra.form_action_source()}; frame-ancestors 'none'",
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = (
            "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:  # behind the proxy's TLS (IAG_TRUSTED_PROXIES), or TLS here
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if not response.headers.get("Cache-Control"):
            response.headers["Cache-Control"] = "no-store"
        return response
