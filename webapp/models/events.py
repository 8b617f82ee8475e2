from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime


class Event(Base):
    """Append-only log. Each row's hash covers its content (the detail by its SHA-256) and the previous
    row's hash, so editing or deleting any row breaks every hash after it (`flask --app webapp
    verify-events`). The only change allowed is redacting a detail, which leaves the chain whole."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))  # "staff:12", "applicant", "system", "mail"
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer, index=True)
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Erasure and retention blank `detail` (it may hold a name or an address) and keep its SHA-256 here,
    # which is what the hash chain covers, so the chain still verifies and shows where it was redacted.
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redacted_detail_sha256: Mapped[str | None] = mapped_column(String(64))


class EventChainHead(Base):
    """A single row holding the newest sequence number and hash. Appending updates it first, which makes
    concurrent appenders queue on its row lock, so the chain never forks."""

    __tablename__ = "event_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
