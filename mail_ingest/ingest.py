"""One message -> the records it makes, in the caller's transaction: an email row (always exactly one), its
attachments, and, by what the message is, a new application (through the same service as the web), a
reply threaded onto an application, an automatic message, or an item for triage."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mail_ingest.classify import automatic_reason, group_mentioned, mentions_applying, references_in
from mail_ingest.extract import DOCX, ODT, document_text
from mail_ingest.parse import Limits, ParsedMessage, ParseFailure, parse
from webapp.deployment import Deployment
from webapp.files import FileStore
from webapp.models import Application, EmailKind, Group, InboundEmail, Source
from webapp.pdf.forms import ReturnedForm, read_form
from webapp.services import applications, equality, events, inbound
from webapp.services.actors import Actor
from webapp.workflow import Role

MAIL = Actor("mail", fixed_roles=frozenset({Role.SYSTEM}))


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
class Contents:
    """What the attachments hold, once read."""

    keep: list[inbound.IncomingFile] = field(default_factory=list)
    application_form: ReturnedForm | None = None
    monitoring_form: ReturnedForm | None = None
    document_text: str = ""


def ingest(
    session: Session,
    raw: bytes,
    sha256: str,
    uidvalidity: int | None,
    uid: int | None,
    settings: Settings,
    into: InboundEmail | None = None,
) -> InboundEmail:
    """Record one message. `into`: an existing (quarantined) row to fill again, for `iag-mail reprocess`."""
    if into is None:
        email = InboundEmail(
            mailbox=settings.mailbox,
            uidvalidity=uidvalidity,
            uid=uid,
            sha256=sha256,
            size=len(raw),
            folder=settings.processed_folder,
        )
    else:
        email, email.folder, email.reason = into, settings.processed_folder, ""
    parsed = parse(raw, settings.limits)
    if isinstance(parsed, ParseFailure):
        return quarantine(session, email, parsed.reason, settings)
    _copy_headers(email, parsed)
    earlier = inbound.earlier_copy(session, sha256, parsed.message_id, not_id=email.id)
    if earlier is not None:
        email.kind, email.duplicate_of_id, email.application_id = (
            EmailKind.DUPLICATE,
            earlier.id,
            earlier.application_id,
        )
        email.reason = f"the same message as email {earlier.id}"
        return inbound.record(session, email, [], settings.files)
    contents = _read_attachments(parsed, settings)
    threaded = inbound.application_by_reference(
        session, references_in(parsed.subject)
    ) or inbound.application_by_thread(session, [*parsed.references, *parsed.in_reply_to.split()])
    automatic = automatic_reason(parsed)
    if automatic:
        email.kind, email.reason = EmailKind.AUTOMATIC, automatic
        email.application_id = threaded.id if threaded else None
        inbound.record(session, email, contents.keep, settings.files)
    elif threaded is not None and contents.application_form is None:
        email.kind, email.application_id, email.reason = (
            EmailKind.REPLY,
            threaded.id,
            "threaded onto application",
        )
        inbound.record(session, email, contents.keep, settings.files)
        events.record(
            session,
            actor="mail",
            action="email reply received",
            subject_type="application",
            subject_id=threaded.id,
            detail={"email_id": email.id},
        )
    elif contents.application_form or contents.document_text or mentions_applying(parsed):
        _new_application(session, email, parsed, contents, settings)
    else:
        email.kind, email.reason = EmailKind.NEEDS_TRIAGE, "not recognised as an application or a reply"
        inbound.record(session, email, contents.keep, settings.files)
    if contents.monitoring_form is not None:
        _monitoring(session, contents.monitoring_form, email.application_id)
    return email


def quarantine(session: Session, email: InboundEmail, reason: str, settings: Settings) -> InboundEmail:
    email.kind, email.reason, email.folder = EmailKind.QUARANTINED, reason[:2000], settings.quarantine_folder
    return inbound.record(session, email, [], settings.files)


def _copy_headers(email: InboundEmail, parsed: ParsedMessage) -> None:
    email.message_id = parsed.message_id
    email.from_address = parsed.from_address
    email.from_name = parsed.from_name
    email.subject = parsed.subject
    email.text_body = parsed.text_body[:200_000]
    email.html_body = parsed.html_body[:500_000]
    email.in_reply_to = parsed.in_reply_to
    email.references = " ".join(parsed.references)
    email.flags = "; ".join(parsed.flags)


def _read_attachments(parsed: ParsedMessage, settings: Settings) -> Contents:
    contents = Contents()
    pages = settings.deployment.application_pages
    for item in parsed.attachments:
        flags = list(item.flags)
        if item.detected_type == "application/pdf":
            form = read_form(item.data, pages)
            if form is not None and form.kind == "monitoring":
                # Kept apart: the answers go to the equality store; the file is not kept for reviewers.
                contents.monitoring_form = form
                parsed.flags.append("an equal opportunities form was received and kept apart")
                continue
            if form is not None and contents.application_form is None:
                contents.application_form = form
                flags += [f"form: {problem}" for problem in form.problems]
        elif item.detected_type in {DOCX, ODT}:
            document = document_text(item.data, item.detected_type)
            if document.problem:
                flags.append(document.problem)
            elif document.text and not contents.document_text:
                contents.document_text = document.text
        contents.keep.append(inbound.IncomingFile(item.filename, item.detected_type, item.data, flags))
    return contents


def _group(session: Session, parsed: ParsedMessage, form: ReturnedForm | None) -> tuple[Group | None, str]:
    groups = session.scalars(select(Group)).all()
    names = {g.name: g.slug for g in groups}
    slug = None
    if form and form.group_name in names:
        slug = names[form.group_name]
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


def _new_application(
    session: Session, email: InboundEmail, parsed: ParsedMessage, contents: Contents, settings: Settings
) -> None:
    form = contents.application_form
    answers = dict(form.answers) if form else {}
    if contents.document_text:
        answers["document_text"] = contents.document_text
    group, note = _group(session, parsed, form)
    arrival = applications.Arrival(
        source=Source.EMAIL,
        name=answers.get("full_name") or parsed.from_name or (parsed.from_address or "Unknown sender"),
        email=answers.get("email") or parsed.from_address,
        phone=answers.get("phone") or None,
        group=group,
        answers=answers,
        idempotency_key=f"email:{email.sha256}",
    )
    application, _created = applications.receive(session, arrival, MAIL)
    email.kind, email.application_id, email.reason = EmailKind.NEW_APPLICATION, application.id, note
    inbound.record(session, email, contents.keep, settings.files)
    inbound.acknowledge(session, application, email, settings.own_addresses)


def _monitoring(session: Session, form: ReturnedForm, application_id: int | None) -> None:
    if application_id is None and form.reference:
        application_id = session.scalar(select(Application.id).where(Application.reference == form.reference))
    equality.record(session, application_id, form.answers)
