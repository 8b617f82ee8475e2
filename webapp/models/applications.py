from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now
from webapp.db import Base, UTCDateTime, enum_type
from webapp.models.groups import Group
from webapp.models.people import Applicant, StaffUser
from webapp.workflow import Outcome, Role, State


class Source(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PAPER = "paper"
    PHONE = "phone"


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_group_state", "group_id", "state"),
        # The inbox: a group's queue in one state, longest waiting first, read in keyset pages.
        Index("ix_applications_queue", "group_id", "state", "state_changed_at", "id"),
        Index("ix_applications_waiting", "state_changed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # None when an email did not say which group; a coordinator sets it in triage.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"), index=True)
    source: Mapped[Source] = mapped_column(enum_type(Source, 10))
    state: Mapped[State] = mapped_column(enum_type(State, 30), default=State.DRAFT)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Makes "a new application arrived" idempotent: a double click or a re-fetched email gives one row.
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    referred_from_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Set when the person's data has been erased (on request or under the retention policy): what is left
    # is the reference, group, source, state and dates, which identify nobody.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[Group | None] = relationship()
    applicant: Mapped[Applicant | None] = relationship()

    @property
    def known_group(self) -> Group:
        """The group, at a step that cannot be reached without one (triage gives every application its
        group before review)."""
        if self.group is None:
            raise LookupError(f"application {self.reference} has no group")
        return self.group

    @property
    def known_applicant(self) -> Applicant:
        """The applicant, at a step that cannot be reached without one (only erasure removes them)."""
        if self.applicant is None:
            raise LookupError(f"application {self.reference} has no applicant")
        return self.applicant

    assigned_to: Mapped[StaffUser | None] = relationship()

    @property
    def language(self) -> str:
        """The language everything sent about this application is written in: the applicant's (English
        for one not yet saved, or erased)."""
        return (self.applicant.language if self.applicant else None) or "en"

    def __repr__(self) -> str:
        return f"<Application {self.reference} {self.state}>"


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    body: Mapped[str] = mapped_column(Text)
    recommendation: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class DiscussionStatus(StrEnum):
    INVITED = "invited"
    HELD = "held"
    RESCHEDULED = "rescheduled"
    NOT_ATTENDED = "did not attend"


class Discussion(Base):
    """An informal discussion with the applicant: in person or online."""

    __tablename__ = "discussions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    place: Mapped[str] = mapped_column(Text, default="")
    online_link: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[DiscussionStatus] = mapped_column(
        enum_type(DiscussionStatus, 20), default=DiscussionStatus.INVITED
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The applicant's answer to the calendar invitation ("accepted", "declined", "tentative"), from the
    # calendar REPLY their mail program sent back.
    response: Mapped[str] = mapped_column(String(20), default="", server_default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DecisionStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Decision(Base):
    """A decision needs two sign-offs: proposed by the group's Chair or Police Coordinator, confirmed by the
    other one."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome, 20))
    reason: Mapped[str] = mapped_column(Text, default="")
    referred_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    status: Mapped[DecisionStatus] = mapped_column(
        enum_type(DecisionStatus, 20), default=DecisionStatus.PROPOSED
    )
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    proposed_role: Mapped[Role] = mapped_column(enum_type(Role, 40))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    confirmed_role: Mapped[Role | None] = mapped_column(enum_type(Role, 40))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AppealOutcome(StrEnum):
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class Appeal(Base):
    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    reasons: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    outcome: Mapped[AppealOutcome | None] = mapped_column(enum_type(AppealOutcome, 20))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    letter: Mapped[str] = mapped_column(Text, default="")
    # The proposal waiting for the panel's other decider (the outcome and the reason for the letter).
    proposed_outcome: Mapped[AppealOutcome | None] = mapped_column(enum_type(AppealOutcome, 20))
    proposed_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    proposed_role: Mapped[Role | None] = mapped_column(enum_type(Role, 40))
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Referral(Base):
    """Passing an applicant on to a more suitable group, with their consent."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    to_group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    to_application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    consent_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    to_group: Mapped[Group] = relationship()
    to_application: Mapped[Application | None] = relationship(foreign_keys=[to_application_id])
