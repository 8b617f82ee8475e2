"""Text messages (SMS) to members, for urgent call-outs, where the deployment has a sender. Queued with the
change they report and sent by the outbox worker, retried with back-off, never lost; the sender is a small
interface (`send(number, text, reference) -> the provider's id`), so a force can use GOV.UK Notify (the
one given here) or write its own.

IAG_SMS_SENDER: "" (no text messages), "file" (written to instance/sent-sms/, for trying the service), or
"notify" (GOV.UK Notify: IAG_NOTIFY_API_KEY and an SMS template IAG_NOTIFY_SMS_TEMPLATE_ID whose whole text
is ((message)))."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import SmsMessage
from webapp.services import outbox

LONGEST = 612  # four SMS fragments: an urgent call-out says what, by when, and where to answer


class Sender(Protocol):
    def send(self, number: str, text: str, reference: str) -> str: ...


@dataclass(frozen=True)
class FileSender:
    """The embedded default for trying the service: each text written as JSON to a folder."""

    folder: Path

    def send(self, number: str, text: str, reference: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{reference}.json").write_text(json.dumps({"to": number, "text": text}))
        return reference


@dataclass(frozen=True)
class NotifySender:
    """GOV.UK Notify, through its own client library (JWT-signed requests to its HTTP API)."""

    api_key: str
    template_id: str
    base_url: str = "https://api.notifications.service.gov.uk"

    def send(self, number: str, text: str, reference: str) -> str:
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=20)
        sent = client.send_sms_notification(
            phone_number=number,
            template_id=self.template_id,
            personalisation={"message": text},
            reference=reference,
        )
        return str(sent.get("id", ""))


def sender_from_config(config: dict[str, Any]) -> Sender | None:
    chosen = (config.get("SMS_SENDER") or "").strip().lower()
    if chosen == "notify":
        return NotifySender(
            config["NOTIFY_API_KEY"], config["NOTIFY_SMS_TEMPLATE_ID"], config["NOTIFY_BASE_URL"]
        )
    if chosen == "file":
        return FileSender(Path(config["INSTANCE_PATH"]) / "sent-sms")
    return None


def enabled(config: dict[str, Any]) -> bool:
    return bool((config.get("SMS_SENDER") or "").strip())


def queue(session: Session, to: str, text: str) -> SmsMessage:
    message = SmsMessage(
        to_number=to,
        body=text[:LONGEST],
        reference=f"iag-{secrets.token_hex(12)}",
        created_at=now(),
        next_attempt_at=now(),
    )
    session.add(message)
    return message


def deliver_due(
    sessions: Callable[[], Any], sender: Sender, max_attempts: int, limit: int = 100
) -> tuple[int, int]:
    """Send up to `limit` due texts, as the outbox sends email. Returns (sent, failed attempts)."""

    def send(row: SmsMessage) -> None:
        row.provider_id = sender.send(row.to_number, row.body, row.reference)

    return outbox.deliver(sessions, SmsMessage, send, max_attempts, limit)
