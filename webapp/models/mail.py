from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now
from webapp.db import Base, UTCDateTime, enum_type


class EmailKind(StrEnum):
    NEW_APPLICATION = "new application"
    REPLY = "reply"
    AUTOMATIC = "automatic"
    NEEDS_TRIAGE = "needs triage"
    QUARANTINED = "quarantined"
    NOT_APPLICATION = "not an application"  # set in triage, with the reason
    MEMBER_REPLY = "member reply"  # a member answering a message to members
    DUPLICATE = (
        "duplicate"  # the same message (Message-ID or bytes) seen again, e.g. after UIDVALIDITY changed
    )
    BOUNCE = "bounce"  # a report that an email we sent could not be delivered (the email is marked bounced)


class Mark(StrEnum):
    """What a person must know of an email in triage before they read it: a request with a legal clock, mail
    for someone else to answer, a member's mail, or what may be an application on weaker evidence. The
    values are the words on screen."""

    SUBJECT_ACCESS = "subject access request"
    FREEDOM_OF_INFORMATION = "freedom of information request"
    COMPLAINT = "complaint about the police"
    JOB_APPLICATION = "job application for the force"
    MEETING_INVITATION = "meeting invitation"
    MEMBER = "a member's email"
    MAY_BE_APPLICATION = "may be an application"
    BLANK_FORM = "a blank application form"
    NOT_OPENED = "could not be opened"
    LANGUAGE = "another language"


class InboundEmail(Base):
    """One message taken from the shared mailbox. The raw bytes are stored on disk under their SHA-256."""

    __tablename__ = "inbound_emails"
    __table_args__ = (UniqueConstraint("mailbox", "uidvalidity", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(200))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    # None only for a message quarantined for its size before its body was fetched.
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    from_address: Mapped[str | None] = mapped_column(String(320), index=True)
    from_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[EmailKind] = mapped_column(enum_type(EmailKind, 20), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[str] = mapped_column(
        Text, default=""
    )  # what parsing noticed: charset guessed, winmail.dat ...
    in_reply_to: Mapped[str] = mapped_column(Text, default="")
    references: Mapped[str] = mapped_column(Text, default="")
    folder: Mapped[str] = mapped_column(String(200), default="")  # where the message was moved to
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_emails.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    # For triage: what the email is, when it is more than "needs triage" (the reason says why), and the
    # day a legal clock runs out (a subject access request: one month).
    mark: Mapped[Mark | None] = mapped_column(enum_type(Mark, 40))
    due_on: Mapped[date | None] = mapped_column(Date)
    # Set when the message's content, raw file and attachments were removed (retention or erasure).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The flag parsing sets when the receiving server found the sender's domain did not authorise the message
# (Authentication-Results: dmarc=fail): the sender may be forged, so it is never acknowledged.
DMARC_FAILED = "DMARC failed: the sender's domain did not authorise this message"


class MailboxState(Base):
    """The UIDVALIDITY last seen for a mailbox folder, so that a change is noticed and reported, and when
    the folder was last read (`updated_at`)."""

    __tablename__ = "mailbox_state"

    mailbox: Mapped[str] = mapped_column(String(200), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Lease(Base):
    """A lock with an expiry, held by one mail poller at a time. A poller that dies stops renewing it, so
    the next one can take over once it expires."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Attachment(Base):
    """A stored file: from an email, or produced by the service (letters, signed agreements)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_emails.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    storage_name: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    flags: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
