"""Telling staff what needs them: each person's choice per kind of news (at once, in a daily digest, or
not at all), the news itself, and when each person last looked at each case (for unread markers)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now
from webapp.db import Base, UTCDateTime, enum_type


class NewsKind(StrEnum):
    NEW_APPLICATION = "new application"
    REPLY = "reply"
    DECISION_WAITING = "decision waiting"
    PROPOSAL_NOT_AGREED = "proposal not agreed"
    APPEAL_LODGED = "appeal lodged"
    AGREEMENT_SIGNED = "agreement signed"
    TRIAGE_WAITING = "triage waiting"
    OVERDUE = "overdue"
    MEMBER_LEFT = "member left"
    MEMBER_REPLIED = "member replied"
    CALL_OUT_ANSWERED = "call-out answered"
    TERM_ENDING = "term ending"
    NOT_DELIVERED = "email not delivered"


class Delivery(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


class NotificationChoice(Base):
    """How one person wants one kind of news; no row means the kind's default."""

    __tablename__ = "notification_choices"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NewsKind] = mapped_column(enum_type(NewsKind, 30))
    delivery: Mapped[Delivery] = mapped_column(enum_type(Delivery, 10))


class Notification(Base):
    """One piece of news for one person. Emailed at once (emailed_at set when queued in the outbox), or
    gathered into the next daily digest; never any answers or equality data, only what happened."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_digest", "delivery", "emailed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NewsKind] = mapped_column(enum_type(NewsKind, 30))
    delivery: Mapped[Delivery] = mapped_column(enum_type(Delivery, 10))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    email_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_emails.id"))
    # The staff page it is about, when that is not a case or triage (a call-out, a message to members).
    path: Mapped[str | None] = mapped_column(String(300))
    # "A reply on IAG-ABCD-EFGH (Bristol IAG)": what happened, with no answers in it.
    summary: Mapped[str] = mapped_column(Text)
    # A key that makes the same news for the same person once only (e.g. "overdue:IAG-…").
    once_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaseView(Base):
    """When one person last opened one case: mail that arrived after it is unread for them."""

    __tablename__ = "case_views"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
