from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now
from webapp.db import Base, UTCDateTime, enum_type


class SigningRequest(Base):
    """A request to a new member to sign the confidentiality agreement, and the evidence of signing."""

    __tablename__ = "signing_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_name: Mapped[str | None] = mapped_column(String(200))
    document_versions: Mapped[str] = mapped_column(Text, default="")
    shown_text_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)
    # Opening the emailed link proves the person reads that inbox: recorded as email verification.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(Text, default="")
    online_link: Mapped[str] = mapped_column(Text, default="")  # shown to the group's members only
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The iCalendar SEQUENCE: one more at each change, so a calendar replaces its entry.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DocumentKind(StrEnum):
    TERMS_OF_REFERENCE = "terms of reference"
    CONFIDENTIALITY_AGREEMENT = "confidentiality agreement"


class GroupDocument(Base):
    """One published version of a group's Terms of Reference or confidentiality agreement, in one language.
    Versions are never edited: publishing makes a new one, and a signature names the exact version shown.
    Each language has its own numbering: the Welsh text is a document of its own, not a shadow of the
    English."""

    __tablename__ = "group_documents"
    __table_args__ = (UniqueConstraint("group_id", "kind", "language", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, 40))
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # sanitised HTML; {name} and {group} are filled in when shown
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class MemberRole(StrEnum):
    MEMBER = "member"
    CHAIR = "chair"
    VICE_CHAIR = "vice chair"


class Membership(Base):
    """A member of a group: made when they sign the confidentiality agreement."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_type(MemberRole, 20), default=MemberRole.MEMBER)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person, who signs in to the members' pages (None only for records erased before there were any).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    # The term: when it ends; asked 60 days before whether they want to continue ("continue" or "leave").
    term_ends_on: Mapped[date | None] = mapped_column(Date)
    renewal_wish: Mapped[str | None] = mapped_column(String(20))
    renewal_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    renewal_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    agreement_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
