from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now
from webapp.db import Base, UTCDateTime


class Wording(Base):
    """A force's own wording of one email (and so of the letter made from it), set on the admin screen.
    Kept in the database so every web instance and mail poller uses the same words."""

    __tablename__ = "wordings"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)  # the template's name, e.g. "withdrawn"
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
