"""Expenses: a member's claim for a meeting or activity, its receipts, and what staff decided. Money is
whole pence (integers), never floating point."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now
from webapp.db import Base, UTCDateTime, enum_type


class ClaimStatus(StrEnum):
    SUBMITTED = "submitted"
    QUERIED = "queried"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"


class ExpenseClaim(Base):
    __tablename__ = "expense_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    spent_on: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(Text)
    miles: Mapped[int] = mapped_column(Integer, default=0)
    pence_per_mile: Mapped[int] = mapped_column(Integer, default=0)  # the rate when claimed
    mileage_pence: Mapped[int] = mapped_column(Integer, default=0)
    public_transport_pence: Mapped[int] = mapped_column(Integer, default=0)
    parking_pence: Mapped[int] = mapped_column(Integer, default=0)
    other_pence: Mapped[int] = mapped_column(Integer, default=0)
    other_note: Mapped[str] = mapped_column(Text, default="")
    total_pence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[ClaimStatus] = mapped_column(enum_type(ClaimStatus, 20), default=ClaimStatus.SUBMITTED)
    reason: Mapped[str] = mapped_column(Text, default="")  # staff's question, or why it was rejected
    answer: Mapped[str] = mapped_column(Text, default="")  # the member's answer to a question
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClaimReceipt(Base):
    __tablename__ = "claim_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("expense_claims.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    storage_name: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
