"""Runs the outbox for an app: the `send-mail` command and the demo's background worker both use this."""

from __future__ import annotations

import logging
import threading
from email.utils import formataddr

from flask import Flask

from webapp.files import file_store
from webapp.services import outbox, texts

log = logging.getLogger(__name__)


def sender(app: Flask) -> str:
    deployment = app.extensions["deployment"]
    return app.config["MAIL_FROM"] or formataddr((deployment.force_name, deployment.mailbox))


def send_due(app: Flask, limit: int = 100) -> tuple[int, int]:
    """Send the due email, then the due text messages (where the deployment sends them): (sent, failed)."""
    store = file_store(app)

    def load(spec: dict) -> tuple[str, str, bytes]:
        return spec["filename"], spec["content_type"], store.read(spec["storage_name"])

    sent, failed = outbox.deliver_due(
        app.extensions["iag_sessions"],
        outbox.transport_from_config(app.config),
        sender(app),
        load,
        app.config["OUTBOX_MAX_ATTEMPTS"],
        limit,
    )
    text_sender = texts.sender_from_config(app.config)
    if text_sender is not None:
        texted, not_texted = texts.deliver_due(
            app.extensions["iag_sessions"], text_sender, app.config["OUTBOX_MAX_ATTEMPTS"], limit
        )
        sent, failed = sent + texted, failed + not_texted
    return sent, failed


def run_worker(app: Flask, stop: threading.Event, interval: float = 1.0) -> None:
    """Send due mail every `interval` seconds until `stop` is set (a second: staff hear of new mail within
    about two, and an empty outbox costs one indexed query). A failure is logged, never fatal."""
    while not stop.is_set():
        try:
            sent, failed = send_due(app)
            if sent or failed:
                log.info("outbox: %s sent, %s failed attempts", sent, failed)
        except Exception:
            log.exception("outbox worker: unexpected error; trying again shortly")
        stop.wait(interval)
