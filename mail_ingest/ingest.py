"""Messages -> the records they make, in the caller's transaction. First `read` each message on its own
(parse it, read its attachments, classify it: no database); then `record` a group of them together: for
each an email row (always exactly one), its attachments, and, by what the message is, a new application
(through the same service as the web), a reply threaded onto an application, an automatic message, an
item for triage, a duplicate of a message recorded before, or a quarantined message with the reason."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mail_ingest.bounces import Report, delivery_report
from mail_ingest.calendar import CalendarReply, invitation_in, reply_in
from mail_ingest.classify import (
    Bounce,
    Found,
    Verdict,
    automatic_reason,
    classify,
    group_answered,
    group_mentioned,
    references_in,
    spam_reason,
)
from mail_ingest.intent import (
    APPLY,
    LETTER_READ,
    MENTIONS,
    Intent,
    applying_in_letter,
    intent_of,
    other_purpose,
)
from mail_ingest.parse import Forwarded, Headers, Limits, ParsedMessage, ParseFailure, parse, parse_headers
from webapp.clock import UK, month_after, now
from webapp.deployment import Deployment
from webapp.files import FileStore
from webapp.models import DMARC_FAILED, Application, EmailKind, Group, InboundEmail, Mark
from webapp.pdf.forms import ReturnedForm
from webapp.services import (
    applications,
    attachments,
    bounces,
    discussions,
    equality,
    events,
    inbound,
    member_messages,
    members,
    news,
)
from webapp.services.actors import MAIL
from webapp.services.attachments import Contents

log = logging.getLogger("iag-mail")
# Threading looks at In-Reply-To and the newest References: a long thread lists dozens.
MAX_THREAD_IDS = 50
MAX_BODY_SCAN = 20_000  # characters of a body searched for references
NOT_THE_APPLICANT = "sent from an address that is not the applicant's"


@dataclass
class Settings:
    mailbox: str
    deployment: Deployment
    files: FileStore
    own_addresses: set[str]
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    limits: Limits = field(default_factory=Limits)


@dataclass
class Incoming:
    """One message taken from the mailbox and read, with nothing written yet. `failure` says why it goes
    to quarantine."""

    uid: int | None
    uidvalidity: int | None
    sha256: str | None
    size: int
    headers: ParsedMessage | Headers = field(default_factory=Headers)
    failure: str = ""
    contents: Contents = field(default_factory=Contents)
    automatic: str | None = None
    references: list[str] = field(default_factory=list)  # application references in the subject
    thread: list[str] = field(default_factory=list)  # the Message-IDs it answers
    intent: Intent = field(default_factory=Intent)
    calendar: CalendarReply | None = None
    invitation: bool = False  # a meeting invitation
    spam: str = ""  # why our mail gateway marked it as spam
    report: Report | None = None  # a delivery report (about an email of ours, if it names one)
    other: tuple[str, str] = ("", "")  # (a Mark value, the words that showed it): see intent.other_purpose
    into: InboundEmail | None = None  # a quarantined row to fill again (`iag-mail reprocess`)

    @property
    def parsed(self) -> ParsedMessage | None:
        return self.headers if isinstance(self.headers, ParsedMessage) and not self.failure else None

    @property
    def keys(self) -> tuple[str, ...]:
        """What another copy of this message would share with it: its bytes, then its Message-ID."""
        return tuple(key for key in (self.sha256, self.headers.message_id) if key)


def read(raw: bytes, sha256: str, settings: Settings, uid: int | None = None, **where: Any) -> Incoming:
    """Everything that needs only the message itself. Never raises: a message that breaks our code comes
    back with `failure` set, to be quarantined while the rest go on. `where`: uidvalidity, into."""
    incoming = Incoming(uid, where.get("uidvalidity"), sha256, len(raw), into=where.get("into"))
    try:
        parsed = parse(raw, settings.limits)
        if isinstance(parsed, ParseFailure):
            incoming.failure = parsed.reason
            # Who sent it and what it says it is, for the person looking at the quarantine.
            incoming.headers = parse_headers(_header_block(raw))
            return incoming
        incoming.headers = parsed
        incoming.contents = _read_attachments(parsed, settings)
        incoming.automatic = automatic_reason(parsed)
        incoming.spam = spam_reason(parsed)
        # Only what a machine sent can be a delivery report; the report is read from the raw bytes.
        incoming.report = delivery_report(raw) if incoming.automatic else None
        incoming.calendar = reply_in(parsed.attachments)
        incoming.invitation = incoming.calendar is None and invitation_in(parsed.attachments)
        # An attached letter's words count as the sender's; a form's (filled or blank) do not.
        letter = (
            ""
            if incoming.contents.form_in or incoming.contents.blank_form_in
            else incoming.contents.document_text
        )
        incoming.intent = _intent(parsed, letter)
        incoming.other = other_purpose(parsed.subject, parsed.text_body)
        if not incoming.other[0] and letter:
            incoming.other = other_purpose("", letter[:LETTER_READ])
        # A reference anywhere counts: the subject first, then the body (quoted text included), then the
        # calendar entry an answer to an invitation names.
        quoted = references_in(parsed.subject) + references_in(parsed.text_body[:MAX_BODY_SCAN])
        if incoming.calendar is not None:
            quoted += references_in(incoming.calendar.uid)
        incoming.references = list(dict.fromkeys(quoted))
        answered = [*parsed.in_reply_to.split(), *reversed(parsed.references)]
        incoming.thread = list(dict.fromkeys(answered))[:MAX_THREAD_IDS]
    except Exception as exc:
        log.exception("message uid %s could not be read; quarantining it", uid)
        incoming.failure = f"error while ingesting: {type(exc).__name__}: {exc}"
    return incoming


def _header_block(raw: bytes) -> bytes:
    ends = [at for at in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if at >= 0]
    return raw[: min(ends)] if ends else raw[:65536]


def _intent(parsed: ParsedMessage, document: str = "") -> Intent:
    """What the sender asks, from their own words; when they only forward a message, from that one's; and
    when the email says nothing, from a letter they attached ("I want to join the Bristol IAG")."""
    intent = intent_of(parsed.subject, parsed.text_body)
    if parsed.forwarded is not None and intent.kind in {"", MENTIONS}:
        inner = intent_of(parsed.forwarded.subject, parsed.forwarded.text)
        intent = Intent(
            inner.kind, inner.evidence, intent.language or inner.language, intent.welsh or inner.welsh
        )
    if intent.kind in {"", MENTIONS} and document and (words := applying_in_letter(document)):
        return Intent(APPLY, f"{words} (in the attached document)", intent.language, intent.welsh)
    return intent


def too_large(uid: int, uidvalidity: int, size: int, header: bytes, limit: int) -> Incoming:
    """A message over the size limit, quarantined by its size: its body is never fetched."""
    return Incoming(
        uid,
        uidvalidity,
        None,
        size,
        headers=parse_headers(header),
        failure=f"too large: {size:,} bytes, over the {limit:,} byte limit; the body was not fetched",
    )


def independent(items: list[Incoming], most: int) -> Iterator[list[Incoming]]:
    """`items` in order, in groups of up to `most` that can be recorded together: no message in a group is
    a copy of another in it or answers another (such a message starts the next group, and so finds the
    first one recorded)."""
    group: list[Incoming] = []
    seen: set[str] = set()
    for item in items:
        if group and (len(group) == most or not seen.isdisjoint([*item.keys, *item.thread])):
            yield group
            group, seen = [], set()
        group.append(item)
        seen.update(item.keys)
    if group:
        yield group


def record(session: Session, items: list[Incoming], settings: Settings) -> list[InboundEmail]:
    """Record a group of messages from `independent`, with a few queries for the whole group. Returns
    their email rows, in order."""
    readable = [item for item in items if item.parsed is not None]
    earlier = inbound.earlier_copies(
        session,
        {item.sha256 for item in readable if item.sha256},
        {item.headers.message_id for item in readable if item.headers.message_id},
        {item.into.id for item in items if item.into is not None},
    )
    threads = inbound.threads(
        session,
        {reference for item in readable for reference in item.references},
        {message_id for item in readable for message_id in item.thread},
    )
    sent = bounces.sent_with(
        session, {mid for item in readable if item.report for mid in item.report.message_ids}
    )
    members_writing = members.with_addresses(
        session, {item.headers.from_address for item in readable if item.headers.from_address}
    )
    groups = session.scalars(select(Group)).all()
    emails: list[tuple[InboundEmail, list[inbound.IncomingFile]]] = []
    verdicts: list[Verdict] = []
    bounced: list[Bounce | None] = []  # the email of ours each message reports, if any
    arriving: list[InboundEmail] = []  # the emails that make new applications, and what each one makes
    arrivals: list[applications.Arrival] = []
    for item in items:
        email = _email(item, settings)
        parsed = item.parsed
        copy = next((earlier[key] for key in item.keys if key in earlier), None) if parsed else None
        emails.append((email, item.contents.keep if parsed and not copy else []))
        bounced.append(_bounce(item, sent))
        verdict = classify(_found(item, settings, copy, threads, bounced[-1], members_writing))
        verdicts.append(verdict)
        email.kind, email.reason, email.mark = verdict.kind, verdict.reason, verdict.mark
        email.application_id, email.duplicate_of_id = verdict.application_id, verdict.duplicate_of
        # The legal clock runs from arrival (kept when a quarantined message is read again), not from now.
        arrived = (email.received_at or now()).astimezone(UK).date()
        email.due_on = month_after(arrived) if verdict.mark == Mark.SUBJECT_ACCESS else None
        if verdict.kind == EmailKind.QUARANTINED:
            email.folder = settings.quarantine_folder
        elif verdict.kind == EmailKind.NEW_APPLICATION and parsed is not None:
            arriving.append(email)
            arrivals.append(
                _arrival(
                    email, parsed, item.contents, groups, _language(item, settings), item.intent.language
                )
            )
    made = [application for application, _created in applications.receive_many(session, arrivals, MAIL)]
    for email, application in zip(arriving, made, strict=True):
        email.kind, email.application_id = EmailKind.NEW_APPLICATION, application.id
    inbound.record(session, emails, settings.files)
    for item, (email, _files), bounce in zip(items, emails, bounced, strict=True):
        _after(session, item, email, settings.files)
        if email.kind == EmailKind.MEMBER_REPLY:
            member_messages.thread_reply(session, email, item.thread)
        if email.kind == EmailKind.BOUNCE and bounce is not None:
            bounces.record(session, bounce.outbox_id, email, bounce.reason)
    made_by = {id(email): application for email, application in zip(arriving, made, strict=True)}
    answers = []
    for item, (email, _files), verdict in zip(items, emails, verdicts, strict=True):
        to = _answer_to(item, email, settings)
        if verdict.answer and to and email.kind in {EmailKind.NEW_APPLICATION, EmailKind.NEEDS_TRIAGE}:
            answer = inbound.Answer(
                email, made_by.get(id(email)), to, _language(item, settings), item.intent.language
            )
            answers.append(answer)
    inbound.acknowledge(session, answers, settings.own_addresses)
    return [email for email, _files in emails]


def _found(
    item: Incoming,
    settings: Settings,
    copy: inbound.Earlier | None,
    threads: inbound.Threads,
    bounce: Bounce | None = None,
    members_writing: AbstractSet[str] = frozenset(),
) -> Found:
    parsed = item.parsed
    sender = (item.headers.from_address or "").lower()
    return Found(
        failure=(item.failure or "could not be read") if parsed is None else "",
        copy_of=copy.id if copy else None,
        copy_application_id=copy.application_id if copy else None,
        automatic=item.automatic,
        spam=item.spam,
        dmarc_failed=parsed is not None and DMARC_FAILED in parsed.flags,
        from_ourselves=sender in settings.own_addresses,
        bounce=bounce,
        answers=threads.application_for(item.references, item.thread),
        member_message=threads.member_message_for(item.thread),
        from_member=sender in members_writing and not _written_by_someone_else(parsed, sender),
        unknown_references=tuple(r for r in item.references if r not in threads.by_reference),
        has_application_form=item.contents.application_form is not None,
        blank_form=item.contents.blank_form,
        form_in=item.contents.form_in,
        attached=item.contents.attached,
        unopened="; ".join(filter(None, [*parsed.unopened, item.contents.unopened])) if parsed else "",
        dangerous=item.contents.dangerous,
        calendar_reply=item.calendar.answer if item.calendar else "",
        invitation=item.invitation,
        other_purpose=item.other[0],
        intent=item.intent.kind,
        evidence=item.other[1] or item.intent.evidence,
        language=item.intent.language,
    )


def _written_by_someone_else(parsed: ParsedMessage | None, sender: str) -> bool:
    """A message forwarded on behalf of its writer (a member passing on a friend's application)."""
    forwarded = parsed.forwarded if parsed is not None else None
    return bool(forwarded and forwarded.from_address and forwarded.from_address != sender)


def _bounce(item: Incoming, sent: dict[str, tuple[int, int | None]]) -> Bounce | None:
    """The email of ours a delivery report is about, if it names one we sent."""
    report = item.report
    if report is None:
        return None
    for message_id in report.message_ids:
        if message_id in sent:
            outbox_id, application_id = sent[message_id]
            reason = report.reason or report.status or "no reason given"
            return Bounce(outbox_id, application_id, report.permanent, reason)
    return None


def _after(session: Session, item: Incoming, email: InboundEmail, store: FileStore) -> None:
    """What an email leads to once it is recorded: a reply (or a calendar answer) on the case's timeline,
    equal opportunities answers and unreadable forms into the equality store."""
    someone_else = False  # a reply from an address that is not the applicant's
    if email.kind == EmailKind.REPLY and email.application_id is not None:
        application = session.get_one(Application, email.application_id)
        person = application.applicant.email if application.applicant else None
        someone_else = bool(person and email.from_address and email.from_address != person.lower())
        if someone_else:
            email.flags = "; ".join(filter(None, [email.flags, NOT_THE_APPLICANT]))
        events.record(
            session,
            MAIL,
            "email reply received",
            events.Subject("application", email.application_id),
            detail={"email_id": email.id},
        )
        if item.calendar is not None:
            discussions.record_response(session, email.application_id, item.calendar.answer, email.id)
        else:
            news.reply_arrived(session, application, email.id)
    if email.kind == EmailKind.NEEDS_TRIAGE:
        news.triage_waiting(session, email.id, email.reason)
    if email.kind in {EmailKind.QUARANTINED, EmailKind.DUPLICATE}:
        return
    if item.contents.monitoring_form is not None and someone_else:
        # Someone else's equality answers must not be filed as the applicant's: kept apart, unapplied.
        equality.keep_files(session, store, item.contents.monitoring_files, email.id, None)
    elif item.contents.monitoring_form is not None:
        _monitoring(session, item.contents.monitoring_form, email.application_id)
    if item.contents.apart:
        equality.keep_files(session, store, item.contents.apart, email.id, email.application_id)


def _answer_to(item: Incoming, email: InboundEmail, settings: Settings) -> str | None:
    """Who an acknowledgement goes to: the sender, or, for an application a colleague at the force
    forwarded, the person who wrote it (a stranger's forward is answered to the stranger, so a forged
    "From:" line in a body never makes us write to someone else)."""
    forwarded = item.parsed.forwarded if item.parsed else None
    sender = email.from_address
    colleague = sender is not None and sender.rsplit("@", 1)[-1] == settings.deployment.mail_domain.lower()
    if email.kind == EmailKind.NEW_APPLICATION and forwarded and forwarded.from_address and colleague:
        return forwarded.from_address
    return sender


def _email(item: Incoming, settings: Settings) -> InboundEmail:
    email = item.into or InboundEmail(
        mailbox=settings.mailbox,
        uidvalidity=item.uidvalidity,
        uid=item.uid,
        sha256=item.sha256,
        size=item.size,
    )
    email.folder, email.reason = settings.processed_folder, ""
    email.message_id = item.headers.message_id
    email.from_address = item.headers.from_address
    email.from_name = item.headers.from_name
    email.subject = item.headers.subject
    if (parsed := item.parsed) is not None:
        email.text_body = parsed.text_body[:200_000]
        email.html_body = parsed.html_body[:500_000]
        email.in_reply_to = parsed.in_reply_to
        email.references = " ".join(parsed.references)
        email.flags = "; ".join(parsed.flags)
    return email


def _read_attachments(parsed: ParsedMessage, settings: Settings) -> Contents:
    files = [
        inbound.IncomingFile(a.filename, a.detected_type, a.data, list(a.flags), a.inline)
        for a in parsed.attachments
    ]
    contents = attachments.read(files, settings.deployment.application_pages)
    parsed.flags += ["an equal opportunities form was received and kept apart"] * contents.kept_apart
    return contents


def _group(parsed: ParsedMessage, contents: Contents, groups: Sequence[Group]) -> tuple[Group | None, str]:
    names = {g.name: g.slug for g in groups}
    slug = None
    form = contents.application_form
    if form and form.group_name in names:
        slug = names[form.group_name]
    if contents.form_in:
        slug = slug or group_answered(contents.document_text, names)
    slug = slug or group_mentioned(parsed.subject, names) or group_mentioned(parsed.text_body[:5000], names)
    group = next((g for g in groups if g.slug == slug), None)
    if group is None:
        return None, "group not known: a coordinator needs to set it"
    if not group.open_to_applicants:
        return (
            None,
            f"asked for the {group.name}, which is not taking applications: "
            "a coordinator needs to set the group",
        )
    return group, f"for the {group.name}"


def _language(item: Incoming, settings: Settings) -> str:
    """The language to answer in: Welsh for mail written in Welsh, or bringing the Welsh application form,
    where the force offers Welsh."""
    form = item.contents.application_form
    welsh = item.intent.welsh or (form is not None and form.language == "cy")
    return "cy" if welsh and "cy" in settings.deployment.languages else "en"


def _arrival(
    email: InboundEmail,
    parsed: ParsedMessage,
    contents: Contents,
    groups: Sequence[Group],
    language: str = "en",
    language_name: str = "",
) -> applications.Arrival:
    """The new application an email makes (the email's reason says which group it went to, and why)."""
    answers = contents.answers
    group, for_group = _group(parsed, contents, groups)
    forwarded: Forwarded | None = parsed.forwarded
    name, address = parsed.from_name, parsed.from_address
    reasons = [email.reason, for_group]
    if language_name:
        reasons.append(f"written in {language_name}")
    if forwarded is not None and forwarded.from_address:
        # The applicant is the person who wrote the message, not the one who passed it on.
        name, address = forwarded.from_name, forwarded.from_address
        reasons.append(f"forwarded by {parsed.from_address or 'an unknown sender'}")
    email.reason = "; ".join(filter(None, reasons))
    arrival = applications.Arrival.by_email(answers, name, address, group, f"email:{email.sha256}")
    return replace(arrival, language=language)


def _monitoring(session: Session, form: ReturnedForm, application_id: int | None) -> None:
    if application_id is None and form.reference:
        application_id = session.scalar(select(Application.id).where(Application.reference == form.reference))
    equality.record(session, application_id, form.answers)
