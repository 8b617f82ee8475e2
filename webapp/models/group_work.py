"""The group's work between meetings: critical-incident call-outs and their answers, the advice log ("you
said, we did"), messages to members and the text messages (SMS) waiting to go."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now
from webapp.db import Base, UTCDateTime, enum_type
from webapp.models.outbox import OutboxStatus


class Urgency(StrEnum):
    WITHIN_HOURS = "within hours"
    TODAY = "today"
    THIS_WEEK = "this week"


class CallOut(Base):
    """Staff ask a group (or chosen members) for their advice, often after a critical incident."""

    __tablename__ = "call_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    asked: Mapped[str] = mapped_column(Text)
    urgency: Mapped[Urgency] = mapped_column(enum_type(Urgency, 20))
    answer_by: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    summary: Mapped[str] = mapped_column(Text, default="")


class CallOutAnswer(StrEnum):
    AVAILABLE = "available"
    NOT_AVAILABLE = "not available"
    ADVICE = "advice"


class CallOutRecipient(Base):
    """One member asked in a call-out, and their answer."""

    __tablename__ = "call_out_recipients"
    __table_args__ = (UniqueConstraint("call_out_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_out_id: Mapped[int] = mapped_column(ForeignKey("call_outs.id"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    texted: Mapped[bool] = mapped_column(default=False)
    answer: Mapped[CallOutAnswer | None] = mapped_column(enum_type(CallOutAnswer, 20))
    advice: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AdviceSource(StrEnum):
    MEETING = "meeting"
    CALL_OUT = "call-out"
    EMAIL = "email"


class AdviceStatus(StrEnum):
    AWAITING = "awaiting a response"
    CONSIDERED = "considered"
    ACTED_ON = "acted on"
    NOT_TAKEN_FORWARD = "not taken forward"


class Advice(Base):
    """One piece of advice the group gave, and what the force did with it ("you said, we did")."""

    __tablename__ = "advice"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    source: Mapped[AdviceSource] = mapped_column(enum_type(AdviceSource, 20))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    call_out_id: Mapped[int | None] = mapped_column(ForeignKey("call_outs.id"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    advice: Mapped[str] = mapped_column(Text)
    status: Mapped[AdviceStatus] = mapped_column(enum_type(AdviceStatus, 30), default=AdviceStatus.AWAITING)
    response: Mapped[str] = mapped_column(Text, default="")  # what the force did, and why
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class MemberMessage(Base):
    """An email from staff to the members of a group (all, or those chosen), perhaps with a paper. Each
    copy is an outbox message carrying this id; replies come back through the mail poller, threaded."""

    __tablename__ = "member_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("papers.id"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class MemberReply(Base):
    """A member's emailed reply to a message to members, threaded onto that message (its own table, so
    that the inbound mail table, with its search index, is not altered)."""

    __tablename__ = "member_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("inbound_emails.id"), unique=True)
    member_message_id: Mapped[int] = mapped_column(ForeignKey("member_messages.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class SmsMessage(Base):
    """A text message waiting to go, written with the change it reports and sent by the outbox worker
    through the deployment's SMS sender (e.g. GOV.UK Notify), retried with back-off like email."""

    __tablename__ = "sms_outbox"
    __table_args__ = (Index("ix_sms_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_number: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(100), unique=True)  # ours, given to the sender once
    status: Mapped[OutboxStatus] = mapped_column(enum_type(OutboxStatus, 10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_error: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
