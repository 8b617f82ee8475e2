"""`/metrics` for Prometheus (prometheus-client's text format), on when IAG_METRICS is true, and then only
to addresses in IAG_METRICS_ALLOWED (the internal network): anyone else gets "not found"."""

from __future__ import annotations

import ipaddress

from flask import Flask, Response, abort, current_app, request
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from webapp.config import VERSION
from webapp.db import db_session
from webapp.services import monitoring
from webapp.services.mail_tokens import Registration


def networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise ValueError(
            f"IAG_METRICS_ALLOWED: {exc} (give networks such as 10.0.0.0/8, comma-separated)"
        ) from exc


def _allowed(address: str | None) -> bool:
    try:
        peer = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(peer in network for network in networks(current_app.config["METRICS_ALLOWED"]))


def metrics() -> Response:
    if not current_app.config["METRICS"] or not _allowed(request.remote_addr):
        abort(404)
    seen = monitoring.figures(db_session())
    registry = CollectorRegistry()

    def gauge(name: str, help_text: str, value: float) -> None:
        Gauge(name, help_text, registry=registry).set(value)

    Gauge("iag_info", "The running release", ["version"], registry=registry).labels(VERSION).set(1)
    gauge(
        "iag_mail_oldest_unfiled_seconds",
        "Age of the oldest message recorded but not yet moved to its folder (0: none)",
        seen.mail_oldest_unfiled_seconds,
    )
    gauge("iag_mail_quarantined", "Messages in quarantine (kept, not erased)", seen.mail_quarantined)
    gauge(
        "iag_mail_last_poll_timestamp_seconds",
        "When a poller last signed in and read the mailbox (Unix time; 0: never)",
        seen.mail_last_poll.timestamp() if seen.mail_last_poll else 0,
    )
    gauge("iag_outbox_pending", "Emails waiting to be sent", seen.outbox_pending)
    gauge(
        "iag_outbox_oldest_pending_seconds",
        "Age of the oldest email waiting to be sent (0: none)",
        seen.outbox_oldest_pending_seconds,
    )
    gauge(
        "iag_outbox_failed",
        "Emails given up on (after every attempt, or at once if they could never go)",
        seen.outbox_failed,
    )
    gauge(
        "iag_staff_sign_in_failures_last_hour",
        "Failed staff sign-in attempts in the last hour (password, code or force account)",
        seen.sign_in_failures_last_hour,
    )
    if current_app.config.get("IMAP_OAUTH_CLIENT_CERTIFICATE"):
        gauge(
            "iag_mail_certificate_expiry_timestamp_seconds",
            "When the mail app registration's certificate expires (Unix time; 0: the file cannot be read)",
            _certificate_expiry(current_app.config),
        )
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _certificate_expiry(config: dict) -> float:
    try:
        expires = Registration.from_config(config).certificate_expires()
    except (ValueError, OSError):  # unreadable, wrong password, or half configured: alert as if expired
        return 0
    return expires.timestamp() if expires else 0


def init_app(app: Flask) -> None:
    networks(app.config["METRICS_ALLOWED"])  # a bad setting stops the start, not the first scrape
    app.add_url_rule("/metrics", "metrics", metrics)
