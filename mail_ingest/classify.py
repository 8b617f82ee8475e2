"""What kind of message arrived, decided in one place: `classify` takes what reading the message found
(and the two things only the database knows: an earlier copy, the application it answers) and says what
the email is. Pure rules, no database; `ingest.record` looks those two up and acts on the verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mail_ingest.intent import APPLY, QUESTION
from mail_ingest.parse import ParsedMessage
from webapp.models import EmailKind
from webapp.services.applications import REFERENCE_ALPHABET

REFERENCE = re.compile(rf"\bIAG-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}\b", re.IGNORECASE)
GENERIC_NAME = re.compile(r"\b(independent advisory group|iag|group)\b", re.IGNORECASE)
BULK_RECIPIENTS = 20  # more recipients than this: a mailing, not a person writing to us
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
    if headers.get("list-unsubscribe"):
        return "bulk mail (List-Unsubscribe)"
    if len(message.to) + len(message.cc) > BULK_RECIPIENTS:
        return f"bulk mail ({len(message.to) + len(message.cc)} recipients)"
    return None


def references_in(text: str) -> list[str]:
    return [match.upper() for match in REFERENCE.findall(text or "")]


def group_mentioned(text: str, names: dict[str, str]) -> str | None:
    """The slug of the group named in `text`: by its full name, or by the words that tell it apart ("Bristol"
    for the Bristol IAG), as whole words. The longest name found wins."""
    lowered = " ".join((text or "").lower().split())
    found = []
    for name, slug in names.items():
        full = name.lower()
        short = GENERIC_NAME.sub("", full).strip()
        if full in lowered:
            found.append((len(full), slug))
        elif len(short) >= 4 and re.search(rf"\b{re.escape(short)}\b", lowered):
            found.append((len(short), slug))
    return max(found)[1] if found else None


@dataclass(frozen=True)
class Found:
    """What is known of one message when its kind is decided."""

    failure: str = ""  # why it could not be read (it goes to quarantine)
    copy_of: int | None = None  # an earlier email with the same bytes or Message-ID
    copy_application_id: int | None = None  # ... and the application that one belongs to
    automatic: str | None = None  # why a machine sent it (automatic_reason)
    from_ourselves: bool = False  # sent from the shared mailbox (or IAG_MAIL_FROM) itself: a loop
    answers: int | None = None  # the application it answers, by reference or thread
    member_message: int | None = None  # the message to members it answers, by thread
    unknown_references: tuple[str, ...] = ()  # references it quotes that no application has
    has_application_form: bool = False
    attached: str = ""  # what a person attached that may be an application: "a document", "a photo" ...
    dangerous: str = ""  # why an attachment must not be opened (a zip bomb, entities): quarantine
    calendar_reply: str = ""  # "accepted", "declined", "tentative": an answer to an invitation
    intent: str = ""  # from the subject and the sender's own words: APPLY, QUESTION or ""
    evidence: str = ""  # the words that showed the intent
    language: str = ""  # the language, when neither English nor Welsh


@dataclass(frozen=True)
class Verdict:
    kind: EmailKind
    reason: str
    application_id: int | None = None
    duplicate_of: int | None = None
    # Who is answered: "application" (the reference and what happens next), "enquiry" (we have your
    # email), or "" (no one: a machine, a thread already going, a copy, something dangerous).
    answer: str = ""


def classify(found: Found) -> Verdict:
    """The email's kind and reason, in this order: unreadable or dangerous, a copy, automatic (or from our
    own mailbox), a reply (a calendar answer included), a member's reply to a message to members, a
    reference that matches no application, then what
    a person wrote: a returned form, a document or photo, a language we do not read, the words of
    applying, a question, or anything else (for a person to look at). A returned form on a thread is a new
    application, not a reply. NEW_APPLICATION's application is made by the caller."""
    if found.failure or found.dangerous:
        return Verdict(EmailKind.QUARANTINED, (found.failure or found.dangerous)[:2000])
    if found.copy_of is not None:
        return Verdict(
            EmailKind.DUPLICATE,
            f"the same message as email {found.copy_of}",
            application_id=found.copy_application_id,
            duplicate_of=found.copy_of,
        )
    if found.automatic:
        return Verdict(EmailKind.AUTOMATIC, found.automatic, application_id=found.answers)
    if found.from_ourselves:
        return Verdict(EmailKind.AUTOMATIC, "sent from our own mailbox", application_id=found.answers)
    if found.answers is not None and not found.has_application_form:
        reason = (
            f"calendar reply: {found.calendar_reply}" if found.calendar_reply else "threaded onto application"
        )
        return Verdict(EmailKind.REPLY, reason, application_id=found.answers)
    if found.member_message is not None and found.answers is None:
        return Verdict(EmailKind.MEMBER_REPLY, "a member's reply to a message to members")
    if found.answers is None and found.unknown_references:
        # Someone writing about an application we cannot find: a person must look, never a second one.
        quoted = ", ".join(found.unknown_references)
        return Verdict(
            EmailKind.NEEDS_TRIAGE, f"quotes a reference no application has: {quoted}", answer="enquiry"
        )
    return _written_by_a_person(found)


def _written_by_a_person(found: Found) -> Verdict:
    if found.has_application_form:
        return Verdict(EmailKind.NEW_APPLICATION, "a returned application form", answer="application")
    if found.attached:
        return Verdict(
            EmailKind.NEW_APPLICATION,
            f"written by a person, with {found.attached} attached",
            answer="application",
        )
    if found.language:
        return Verdict(
            EmailKind.NEEDS_TRIAGE, f"written in {found.language}: someone needs to read it", answer="enquiry"
        )
    if found.intent == APPLY:
        return Verdict(
            EmailKind.NEW_APPLICATION,
            f"asks to apply (\u201c{found.evidence[:60]}\u201d)",
            answer="application",
        )
    if found.intent == QUESTION:
        return Verdict(
            EmailKind.NEEDS_TRIAGE, f"an enquiry (\u201c{found.evidence[:60]}\u201d)", answer="enquiry"
        )
    return Verdict(EmailKind.NEEDS_TRIAGE, "not recognised as an application or a reply", answer="enquiry")
