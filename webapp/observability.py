"""Running it for real: a request id on every request (taken from a proxy's X-Request-Id when it looks like
one, otherwise made here) that every log line carries and the response returns; one log line per request;
JSON log lines when IAG_LOG_FORMAT is json; and /healthz, which checks the database."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, g, jsonify, request
from sqlalchemy import text

from webapp.config import VERSION
from webapp.db import db_session

SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# A path segment that looks like a link's secret (a token in a status, signing, resume or enrolment link):
# long and random-looking. Never written to a log, whatever route it is on, or none.
TOKEN_LIKE = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}(?=/|$)")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
log = logging.getLogger("iag.request")


def logged_path(path: str | None = None) -> str:
    """A request's path as a log may show it: a route's token masked (and, on a path no route knows, any
    segment that looks like one), control characters escaped (a CR or LF in a path must not start a
    forged line)."""
    if path is None:
        path = request.path
        for name, value in (request.view_args or {}).items():
            if "token" in name and isinstance(value, str) and value:
                path = path.replace(value, "<token>")
    masked = TOKEN_LIKE.sub(
        lambda found: "<token>" if _random_looking(found.group(0)) else found.group(0), path
    )
    return CONTROL.sub(lambda found: f"\\x{ord(found.group(0)):02x}", masked)


def _random_looking(segment: str) -> bool:
    """Digits and letters, or upper and lower case mixed: a random token ("decision_unsuccessful" is not)."""
    mixed_case = any(ch.isupper() for ch in segment) and any(ch.islower() for ch in segment)
    return mixed_case or (any(ch.isdigit() for ch in segment) and any(ch.isalpha() for ch in segment))


def request_id() -> str:
    try:
        return g.get("request_id", "-")
    except RuntimeError:  # outside a request: the mail poller, the CLI
        return "-"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for key in ("method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(log_format: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "iag", False)]
    handler.iag = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    # Our own INFO lines; other libraries stay at their WARNING default (their INFO chatter is costly).
    for name in ("iag", "iag-mail"):
        logging.getLogger(name).setLevel(logging.INFO)
    # The development server's own request lines carry whole URLs (tokens and all): ours replace them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        offered = request.headers.get("X-Request-Id", "")
        g.request_id = offered if SAFE_ID.match(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if request.endpoint != "static":
            path = logged_path()
            log.info(
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.get("request_started", 0)) * 1000, 1),
                },
            )
        return response

    def healthz():
        try:
            # The request's own session: a second one would wait on SQLite for the first (a signed-in
            # user is loaded before the view, and every SQLite transaction takes the write lock).
            db_session().execute(text("SELECT 1"))
        except Exception:
            logging.getLogger("iag.health").exception("database check failed")
            return jsonify(status="unavailable", database="unreachable", version=VERSION), 503
        return jsonify(status="ok", database="ok", version=VERSION)

    app.add_url_rule("/healthz", "healthz", healthz)
