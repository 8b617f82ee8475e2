"""Everything held about one person, in one place: found once (`footprint`), then either exported for a
subject access request (services/subject_access.py) or erased (`erase_application`, `erase_email`, used
by an erasure request and by the retention policy alike).

Erasing keeps what identifies nobody, so that the figures still add up: an application keeps its
reference, group, source, state and dates; an email keeps where it was in the mailbox (so the poller never
takes it again) and when it came. Everything else about the person goes: answers, name, address, notes,
reasons, letters, emails and their files, and the detail of every event about them (the hash chain keeps
that those events happened). Their equality answers become anonymous counts first.
Files are removed once the database has committed (`remove_files`); `sweep_files` deletes any stored file
that no row refers to any more, so a crash in between leaves nothing behind for long.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from webapp.clock import UK, now
from webapp.files import FileStore, file_store, raw_mail_store
from webapp.models import (
    Appeal,
    Applicant,
    ApplicantLink,
    Application,
    Attachment,
    CallOutRecipient,
    Candidate,
    CaseView,
    ClaimReceipt,
    Decision,
    Discussion,
    Draft,
    Election,
    EqualityFile,
    EqualityResponse,
    EqualityTally,
    Event,
    ExpenseClaim,
    InboundEmail,
    Interest,
    MeetingResponse,
    Member,
    MemberReply,
    Membership,
    MemberSignIn,
    Note,
    Notification,
    OutboxMessage,
    PaperDownload,
    SigningRequest,
    Vetting,
)
from webapp.questions import MONITORING_QUESTIONS
from webapp.services import events
from webapp.services.actors import Actor
from webapp.services.equality_report import OFFER_STATES, answer_for


@dataclass(frozen=True)
class Stores:
    files: FileStore  # attachments, letters, signed agreements
    raw: FileStore  # received messages as they came

    @classmethod
    def of(cls, app) -> Stores:
        return cls(file_store(app), raw_mail_store(app))


@dataclass
class Freed:
    """Stored files an erasure stopped referring to."""

    files: set[str] = field(default_factory=set)
    raw: set[str] = field(default_factory=set)

    def add(self, other: Freed) -> None:
        self.files |= other.files
        self.raw |= other.raw


# Rows that belong to an application, and what of each is about the person.
OWNED_BY_APPLICATION = (Note, Discussion, Decision, Appeal, SigningRequest, Membership, ApplicantLink)


@dataclass
class Footprint:
    """The rows about one person."""

    email: str | None
    applicants: list[Applicant] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    emails: list[InboundEmail] = field(default_factory=list)
    sent: list[OutboxMessage] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)  # as a member of a group: their own details

    @property
    def found(self) -> bool:
        return bool(self.applicants or self.applications or self.emails or self.sent or self.members)


def footprint(session: Session, email_or_reference: str) -> Footprint:
    """Find a person by email address or by an application reference (which leads to their address)."""
    wanted = email_or_reference.strip()
    email = wanted.lower() if "@" in wanted else None
    if email is None:
        application = session.scalar(select(Application).where(Application.reference == wanted.upper()))
        if application is None:
            return Footprint(None)
        if application.applicant is None or not application.applicant.email:
            return Footprint(None, [application.applicant] if application.applicant else [], [application])
        email = application.applicant.email.lower()
    applicants = list(session.scalars(select(Applicant).where(func.lower(Applicant.email) == email)))
    ids = [a.id for a in applicants]
    applications = list(
        session.scalars(select(Application).where(Application.applicant_id.in_(ids)).order_by(Application.id))
    )
    application_ids = [a.id for a in applications]
    emails = _mail(session, InboundEmail, InboundEmail.from_address, email, application_ids)
    sent = _mail(session, OutboxMessage, OutboxMessage.to_address, email, application_ids)
    people = list(session.scalars(select(Member).where(Member.email == email)))
    return Footprint(email, applicants, applications, emails, sent, people)


def _mail(session: Session, model, address, email: str, application_ids: list[int]) -> list:
    """Mail received or sent: from or to the person's address, or filed with one of their applications."""
    about = or_(func.lower(address) == email, model.application_id.in_(application_ids))
    return list(session.scalars(select(model).where(about).order_by(model.id)))


# --- Erasure ----------------------------------------------------------------------------------------------


def _year(moment: datetime) -> int:
    return moment.astimezone(UK).year


def _tally(session: Session, application: Application) -> None:
    """Fold the application's equality answers into the anonymous counts, then delete them."""
    response = session.scalar(
        select(EqualityResponse).where(EqualityResponse.application_id == application.id)
    )
    if response is None:
        return
    offered = session.scalar(
        select(Event.id).where(
            Event.subject_type == "application",
            Event.subject_id == application.id,
            Event.to_state.in_(OFFER_STATES),
        )
    )
    joined = session.scalar(select(Membership.id).where(Membership.application_id == application.id))
    stages = ["applied"] + (["offered"] if offered or joined else []) + (["joined"] if joined else [])
    year = _year(application.submitted_at or response.submitted_at)
    group_id = application.group_id if application.group_id is not None else response.group_id
    cells = [("", "Total")] + [(q.key, answer_for(q, getattr(response, q.key))) for q in MONITORING_QUESTIONS]
    for stage in stages:
        for question, answer in cells:
            key = {"year": year, "group_id": group_id, "stage": stage, "question": question, "answer": answer}
            where = [getattr(EqualityTally, k) == v for k, v in key.items() if v is not None]
            if group_id is None:
                where.append(EqualityTally.group_id.is_(None))
            tally = session.scalar(select(EqualityTally).where(*where).with_for_update())
            if tally is None:
                session.add(EqualityTally(count=1, **key))
                session.flush()
            else:
                tally.count += 1
    session.delete(response)


def erase_email(session: Session, email: InboundEmail) -> Freed:
    """Keep where the message was and when it came; remove what it said, who sent it, and its files.
    Returns the stored files it no longer refers to."""
    freed = Freed(
        set(session.scalars(select(Attachment.storage_name).where(Attachment.email_id == email.id)))
    )
    if email.sha256:
        freed.raw.add(email.sha256)
    apart = EqualityFile.email_id == email.id
    freed.files.update(session.scalars(select(EqualityFile.storage_name).where(apart)))
    session.execute(delete(EqualityFile).where(apart))
    session.execute(delete(Attachment).where(Attachment.email_id == email.id))
    email.from_address = None
    email.from_name = ""
    email.subject = ""
    email.text_body = ""
    email.html_body = ""
    email.reason = ""
    email.in_reply_to = ""
    email.references = ""
    email.flags = ""
    email.sha256 = None
    email.erased_at = now()
    events.redact(session, (Event.subject_type == "email") & (Event.subject_id == email.id))
    return freed


def erase_application(session: Session, application: Application) -> Freed:
    """Erase everything about the person in one application; keep the anonymous outline. Returns the
    stored files it no longer refers to."""
    if application.erased_at is not None:
        return Freed()
    _tally(session, application)
    freed = Freed()
    for email in session.scalars(select(InboundEmail).where(InboundEmail.application_id == application.id)):
        freed.add(erase_email(session, email))
    freed.files.update(
        session.scalars(select(Attachment.storage_name).where(Attachment.application_id == application.id))
    )
    for specs in session.scalars(
        select(OutboxMessage.attachments).where(OutboxMessage.application_id == application.id)
    ):
        freed.files.update(spec["storage_name"] for spec in specs or [])
    session.execute(
        update(SigningRequest)
        .where(SigningRequest.application_id == application.id)
        .values(pdf_attachment_id=None)
    )
    session.execute(
        update(Membership)
        .where(Membership.application_id == application.id)
        .values(agreement_attachment_id=None)
    )
    joined = select(Membership.id).where(Membership.application_id == application.id)
    session.execute(delete(MeetingResponse).where(MeetingResponse.membership_id.in_(joined)))
    session.execute(delete(Vetting).where(Vetting.membership_id.in_(joined)))
    session.execute(delete(CallOutRecipient).where(CallOutRecipient.membership_id.in_(joined)))
    for column in (Candidate.membership_id, Candidate.nominated_by_id):
        session.execute(update(Candidate).where(column.in_(joined)).values({column: None}))
    session.execute(update(Election).where(Election.winner_id.in_(joined)).values(winner_id=None))
    # Expenses keep their amounts, dates and state for the force's accounts; not whose, or what for.
    claimed = select(ExpenseClaim.id).where(ExpenseClaim.membership_id.in_(joined))
    freed.files.update(
        session.scalars(select(ClaimReceipt.storage_name).where(ClaimReceipt.claim_id.in_(claimed)))
    )
    session.execute(delete(ClaimReceipt).where(ClaimReceipt.claim_id.in_(claimed)))
    session.execute(
        update(ExpenseClaim)
        .where(ExpenseClaim.membership_id.in_(joined))
        .values(membership_id=None, purpose="", other_note="", answer="", reason="")
        .execution_options(synchronize_session=False)
    )
    person_of = session.scalar(
        select(Membership.member_id).where(Membership.application_id == application.id)
    )
    kept_apart = EqualityFile.application_id == application.id
    freed.files.update(session.scalars(select(EqualityFile.storage_name).where(kept_apart)))
    for model in (*OWNED_BY_APPLICATION, Notification, CaseView, EqualityFile):
        session.execute(delete(model).where(model.application_id == application.id))
    session.execute(delete(Attachment).where(Attachment.application_id == application.id))
    session.execute(delete(OutboxMessage).where(OutboxMessage.application_id == application.id))
    session.execute(delete(Draft).where(Draft.application_id == application.id))
    events.redact(session, (Event.subject_type == "application") & (Event.subject_id == application.id))
    applicant_id = application.applicant_id
    application.answers = {}
    application.applicant_id = None
    application.assigned_to_id = None
    application.idempotency_key = None
    application.erased_at = now()
    session.flush()
    if applicant_id is not None and not session.scalar(
        select(Application.id).where(Application.applicant_id == applicant_id)
    ):
        session.execute(delete(Applicant).where(Applicant.id == applicant_id))
    if person_of is not None:
        erase_member(session, person_of)
    return freed


def erase_member(session: Session, member_id: int) -> None:
    """The person behind memberships, once none is left: their details and sign-in links go; the logs of
    papers they downloaded and replies they sent keep that it happened, not who."""
    if session.scalar(select(Membership.id).where(Membership.member_id == member_id).limit(1)) is not None:
        return
    for model in (PaperDownload, MemberReply, OutboxMessage):
        session.execute(
            update(model)
            .where(model.member_id == member_id)
            .values(member_id=None)
            .execution_options(synchronize_session=False)
        )
    session.execute(delete(MemberSignIn).where(MemberSignIn.member_id == member_id))
    session.execute(delete(Interest).where(Interest.member_id == member_id))
    session.execute(delete(Member).where(Member.id == member_id))


def erase(session: Session, person: Footprint, actor: Actor) -> Freed:
    """Erase a person on request. The event says an erasure happened, not who or what. Returns the stored
    files no longer referred to (remove them with `remove_files` once this has committed)."""
    freed = Freed()
    for application in person.applications:
        freed.add(erase_application(session, application))
    for email in person.emails:
        if email.erased_at is None:
            freed.add(erase_email(session, email))
    left = select(OutboxMessage).where(OutboxMessage.id.in_([m.id for m in person.sent]))
    for message in session.scalars(left):  # those not already gone with an application
        freed.files.update(spec["storage_name"] for spec in message.attachments or [])
        session.delete(message)
    still_used = select(Application.applicant_id).where(Application.applicant_id.is_not(None))
    session.execute(
        delete(Applicant)
        .where(Applicant.id.in_([a.id for a in person.applicants]), Applicant.id.not_in(still_used))
        .execution_options(synchronize_session=False)
    )
    for member in person.members:  # a member whose applications were erased before
        erase_member(session, member.id)
    session.expunge_all()  # the objects found before are gone or changed
    events.record(session, actor, "personal data erased", events.Subject("person"), detail={})
    return freed


# --- Files ------------------------------------------------------------------------------------------------


def _referenced(session: Session) -> Freed:
    """Every stored file some row still refers to."""
    refs = Freed(
        raw=set(session.scalars(select(InboundEmail.sha256).where(InboundEmail.sha256.is_not(None))))
    )
    refs.files.update(session.scalars(select(Attachment.storage_name)))
    for specs in session.scalars(select(OutboxMessage.attachments)):
        refs.files.update(spec["storage_name"] for spec in specs or [])
    return refs


def _pairs(stores: Stores, names: Freed) -> list[tuple[FileStore, set[str]]]:
    return [(stores.files, names.files), (stores.raw, names.raw)]


def remove_files(session: Session, stores: Stores, freed: Freed) -> int:
    """After an erasure has committed: delete the freed files that no row refers to any more."""
    keep = _referenced(session)
    removed = 0
    for store, names in _pairs(stores, Freed(freed.files - keep.files, freed.raw - keep.raw)):
        for name in names:
            if store.exists(name):
                store.path(name).unlink()
                removed += 1
    return removed


def sweep_files(
    session: Session, stores: Stores, *, apply: bool, grace: timedelta = timedelta(days=1)
) -> int:
    """Delete stored files no row refers to. Files younger than `grace` are left alone: the mail poller
    stores a message's bytes before the transaction that records it commits."""
    cutoff = (now() - grace).timestamp()
    removed = 0
    for store, keep in _pairs(stores, _referenced(session)):
        for name, modified in list(store.entries()):
            if name in keep or modified > cutoff:
                continue
            removed += 1
            if apply:
                store.path(name).unlink(missing_ok=True)
    return removed
