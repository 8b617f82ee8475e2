"""The members' own space: the person behind one or more memberships (who signs in by an emailed link and
keeps their own details), their answers to meeting invitations and the attendance staff record, and the
group's papers with every download of them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now
from webapp.db import Base, UTCDateTime, enum_type


class Availability(StrEnum):
    """When a member can answer an urgent call-out."""

    ANY_TIME = "any time"
    WORKING_HOURS = "working hours"
    EVENINGS_AND_WEEKENDS = "evenings and weekends"
    NOT_AVAILABLE = "not available"


class Member(Base):
    """A person who is, or was, a member of one or more groups. They sign in with a link emailed to
    `email` and keep these details up to date themselves."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)  # lower case; None once erased
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40), default="")
    contact_preference: Mapped[str] = mapped_column(String(20), default="Email")
    communities: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[str] = mapped_column(Text, default="")
    specialisms: Mapped[str] = mapped_column(Text, default="")
    languages_spoken: Mapped[str] = mapped_column(Text, default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    availability: Mapped[Availability | None] = mapped_column(enum_type(Availability, 30))
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    # The register of interests: when the member last confirmed it, and last reminded to.
    interests_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    interests_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every member session's identity: bumping it ends all of this person's sessions.
    session_generation: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class MemberSignIn(Base):
    """A single-use sign-in link emailed to a member (the database keeps only its hash)."""

    __tablename__ = "member_sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MeetingAnswer(StrEnum):
    IN_PERSON = "in person"
    ONLINE = "online"
    APOLOGIES = "apologies"


class Attendance(StrEnum):
    PRESENT_IN_PERSON = "present in person"
    PRESENT_ONLINE = "present online"
    APOLOGIES = "apologies"
    DID_NOT_ATTEND = "did not attend"


PRESENT = frozenset({Attendance.PRESENT_IN_PERSON, Attendance.PRESENT_ONLINE})


class MeetingResponse(Base):
    """One member and one meeting: their answer to the invitation, and the attendance staff recorded."""

    __tablename__ = "meeting_responses"
    __table_args__ = (UniqueConstraint("meeting_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    answer: Mapped[MeetingAnswer | None] = mapped_column(enum_type(MeetingAnswer, 20))
    note: Mapped[str] = mapped_column(Text, default="")
    interest: Mapped[str] = mapped_column(Text, default="", server_default="")  # declared for the agenda
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance: Mapped[Attendance | None] = mapped_column(enum_type(Attendance, 30))
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class PaperKind(StrEnum):
    PAPER = "paper"
    MINUTES = "minutes"


class Paper(Base):
    """A paper for a group, or for one of its meetings. A confidential paper is for the group's current
    members only, and each copy is stamped with the name of the person it was issued to."""

    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PaperKind] = mapped_column(enum_type(PaperKind, 20), default=PaperKind.PAPER)
    confidential: Mapped[bool] = mapped_column(Boolean, default=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    storage_name: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PaperDownload(Base):
    """Who downloaded a paper, and when: a member (their stamped copy) or a member of staff."""

    __tablename__ = "paper_downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class VettingStatus(StrEnum):
    APPLIED = "applied"
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Vetting(Base):
    """A member's vetting or screening, as staff record it: its status, level and dates. Never the vetting
    itself: what the force's vetting unit asked or found stays with the vetting unit."""

    __tablename__ = "member_vetting"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), unique=True)
    status: Mapped[VettingStatus] = mapped_column(enum_type(VettingStatus, 20))
    level: Mapped[str] = mapped_column(String(40), default="")
    granted_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def current(self, today: date) -> bool:
        return self.status == VettingStatus.GRANTED and (self.expires_on is None or self.expires_on >= today)


class Interest(Base):
    """One entry in a member's register of interests: what, and since when (ended when it no longer
    holds). The member keeps it, confirms it each year, and declares at a meeting what touches its agenda."""

    __tablename__ = "member_interests"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    since: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
