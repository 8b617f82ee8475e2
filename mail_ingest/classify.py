"""What kind of message arrived: automatic (auto-replies, bounces, lists), or what a person sent. Pure rules
on the parsed message; the poller adds what needs the database (threading by reference or Message-ID)."""

from __future__ import annotations

import re

from mail_ingest.parse import ParsedMessage
from webapp.services.applications import REFERENCE_ALPHABET

REFERENCE = re.compile(rf"\bIAG-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}\b", re.IGNORECASE)
APPLYING = re.compile(r"\b(apply|applying|application|join|joining|membership)\b", re.IGNORECASE)
DAEMONS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|noreply-dmarc-support|bounce[s]?)@", re.I)


def automatic_reason(message: ParsedMessage) -> str | None:
    """Why this message was sent by a machine (RFC 3834 and the usual signs), or None for a person."""
    headers = message.headers
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted[:40]}"
    if headers.get("x-autoreply") or headers.get("x-autorespond"):
        return "X-Autoreply header"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    if message.is_report:
        return "delivery status report"
    if headers.get("x-failed-recipients"):
        return "delivery failure (X-Failed-Recipients)"
    if headers.get("return-path", "").strip() == "<>":
        return "empty Return-Path (a bounce)"
    if message.from_address and DAEMONS.match(message.from_address):
        return f"sent by {message.from_address.split('@')[0]}"
    if headers.get("list-id"):
        return "mailing list"
    return None


def references_in(text: str) -> list[str]:
    return [match.upper() for match in REFERENCE.findall(text or "")]


def mentions_applying(message: ParsedMessage) -> bool:
    return bool(APPLYING.search(message.subject))


def group_mentioned(text: str, names: dict[str, str]) -> str | None:
    """The slug of the group whose name appears in `text` (the longest name wins), else None."""
    lowered = " ".join((text or "").lower().split())
    found = [(len(name), slug) for name, slug in names.items() if name.lower() in lowered]
    return max(found)[1] if found else None
