from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now
from webapp.db import Base, UTCDateTime, enum_type


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = (
        "bounced"  # sent, then the receiving side reported it could not be delivered (last_error says why)
    )


class OutboxMessage(Base):
    """An email waiting to go. Written in the same transaction as the change it reports, sent afterwards by
    the outbox worker, retried with back-off until it is delivered or gives up."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_purpose", "to_address", "purpose", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Stored files to attach: [{"filename", "content_type", "storage_name"}] (see webapp.files)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    # A message to members: the copy's message and member, so that a reply threads onto it.
    member_message_id: Mapped[int | None] = mapped_column(ForeignKey("member_messages.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # What the email is for, where a rule depends on it (e.g. "acknowledgement": one per sender per day).
    purpose: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[OutboxStatus] = mapped_column(enum_type(OutboxStatus, 10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
