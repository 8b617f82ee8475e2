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

from webapp.db import db_session

SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = logging.getLogger("iag.request")


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
            log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
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
            return jsonify(status="unavailable", database="unreachable"), 503
        return jsonify(status="ok", database="ok")

    app.add_url_rule("/healthz", "healthz", healthz)
