"""Equal-opportunities monitoring answers. Kept apart on purpose: no relationship() points here, reviewer
code never imports this module, and only the equality report reads it, as aggregates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now
from webapp.db import Base, UTCDateTime


class EqualityResponse(Base):
    __tablename__ = "equality_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"), unique=True
    )
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    age_band: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(40))
    gender_identity: Mapped[str | None] = mapped_column(String(40))
    sexual_orientation: Mapped[str | None] = mapped_column(String(60))
    ethnic_group: Mapped[str | None] = mapped_column(String(120))
    religion: Mapped[str | None] = mapped_column(String(120))
    disability: Mapped[str | None] = mapped_column(String(60))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class EqualityTally(Base):
    """What is left of equality answers once their application has been deleted under the retention
    policy: anonymous counts per year, group, stage, question and answer, nothing more."""

    __tablename__ = "equality_tallies"
    __table_args__ = (UniqueConstraint("year", "group_id", "stage", "question", "answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    stage: Mapped[str] = mapped_column(String(20))
    question: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(120))
    count: Mapped[int] = mapped_column(Integer, default=0)


class EqualityFile(Base):
    """An equal opportunities form that came by email but could not be read by machine (a scan, a photo, a
    damaged PDF). Kept apart like the answers: stored here, not as an email's attachment, and opened only
    by the equality reporter and system admins, who can type its answers in."""

    __tablename__ = "equality_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    email_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_emails.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    storage_name: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
