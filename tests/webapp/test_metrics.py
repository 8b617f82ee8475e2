"""/metrics: Prometheus figures of mail, the outbox and sign-in, for the internal network only."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests import harness
from webapp.clock import now
from webapp.db import session_scope
from webapp.models import EmailKind, InboundEmail, LoginAttempt, MailboxState, OutboxMessage
from webapp.models.outbox import OutboxStatus

ROOT = Path(__file__).resolve().parents[2]


def scrape(client, address: str = "127.0.0.1") -> dict[str, float]:
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(answer.get_data(as_text=True))
        for sample in family.samples
    }


def _email(uid: int, kind: EmailKind, received, moved=None) -> InboundEmail:
    return InboundEmail(
        mailbox="INBOX", uidvalidity=1, uid=uid, kind=kind, received_at=received, moved_at=moved, size=10
    )


def _outbox(n: int, status: OutboxStatus, created) -> OutboxMessage:
    return OutboxMessage(
        message_id=f"<m{n}@test>",
        to_address="a@example.org",
        subject="s",
        body_text="b",
        status=status,
        created_at=created,
    )


def test_metrics_are_off_by_default_and_only_for_the_allowed_networks(app, client):
    assert client.get("/metrics").status_code == 404
    app.config["METRICS"] = True
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    app.config["METRICS_ALLOWED"] = "10.0.0.0/8"
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404
    assert scrape(client, "10.1.2.3")["iag_outbox_pending"] == 0


def test_metrics_show_mail_lag_quarantine_outbox_and_sign_in_failures(app, client):
    app.config["METRICS"] = True
    moment = now()
    with session_scope(app) as session:
        session.add_all(
            [
                _email(1, EmailKind.NEW_APPLICATION, moment - timedelta(minutes=30), moved=moment),
                _email(2, EmailKind.REPLY, moment - timedelta(minutes=10)),  # recorded, not yet filed
                _email(3, EmailKind.QUARANTINED, moment - timedelta(minutes=5), moved=moment),
                _outbox(1, OutboxStatus.PENDING, moment - timedelta(minutes=20)),
                _outbox(2, OutboxStatus.PENDING, moment - timedelta(minutes=1)),
                _outbox(3, OutboxStatus.FAILED, moment - timedelta(days=1)),
                _outbox(4, OutboxStatus.SENT, moment - timedelta(days=1)),
                MailboxState(mailbox="INBOX", uidvalidity=1, updated_at=moment - timedelta(minutes=2)),
                *[
                    LoginAttempt(
                        email="x@example.org",
                        ip_address="1.2.3.4",
                        succeeded=False,
                        outcome="wrong password",
                        at=moment - timedelta(minutes=m),
                    )
                    for m in (1, 5, 90)
                ],
            ]
        )
    seen = scrape(client)
    assert 590 <= seen["iag_mail_oldest_unfiled_seconds"] < 700
    assert seen["iag_mail_quarantined"] == 1
    assert abs(seen["iag_mail_last_poll_timestamp_seconds"] - (moment - timedelta(minutes=2)).timestamp()) < 1
    assert seen["iag_outbox_pending"] == 2
    assert 1190 <= seen["iag_outbox_oldest_pending_seconds"] < 1300
    assert seen["iag_outbox_failed"] == 1
    assert seen["iag_staff_sign_in_failures_last_hour"] == 2
    assert seen["iag_info"] == 1


def test_the_mail_certificates_expiry_is_shown_and_every_alert_rule_names_a_figure_shown(
    app, client, tmp_path
):
    from cryptography import x509

    cert, key = harness.self_signed(tmp_path, "iag-mail")
    both = tmp_path / "mail-app.pem"
    both.write_text(key.read_text() + cert.read_text())
    app.config.update(METRICS=True, IMAP_OAUTH_TENANT="t", IMAP_OAUTH_CLIENT_ID="c")
    assert "iag_mail_certificate_expiry_timestamp_seconds" not in scrape(client)  # a secret, or no OAuth2
    app.config["IMAP_OAUTH_CLIENT_CERTIFICATE"] = str(both)
    seen = scrape(client)
    expires = x509.load_pem_x509_certificate(cert.read_bytes()).not_valid_after_utc
    assert seen["iag_mail_certificate_expiry_timestamp_seconds"] == expires.timestamp()
    rules = (ROOT / "instance" / "examples" / "production" / "alerts.yml").read_text()
    named = set(re.findall(r"\b(iag_[a-z_]+)", rules))
    assert named and named <= set(seen), named - set(seen)
    # A certificate the app cannot read counts as expired, so the alert fires.
    app.config["IMAP_OAUTH_CLIENT_CERTIFICATE"] = str(tmp_path / "moved-away.pem")
    assert scrape(client)["iag_mail_certificate_expiry_timestamp_seconds"] == 0
