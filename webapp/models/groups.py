from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime, enum_type


class GroupKind(StrEnum):
    STRATEGIC = "strategic"
    AREA = "area"
    SPECIALIST = "specialist"


class Group(Base):
    """An Independent Advisory Group. Created from the deployment file; system admins may edit it later."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[GroupKind] = mapped_column(enum_type(GroupKind, 20))
    open_to_applicants: Mapped[bool] = mapped_column(Boolean, default=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    screening_may_apply: Mapped[bool] = mapped_column(Boolean, default=False)
    meeting_place: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Meetings a year a member is expected at: the register flags anyone below it.
    expected_meetings: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    # "none", "limited screening", or the vetting level the force requires of members (e.g. "NPPV2"):
    # where it is not "none", confidential papers reach only members whose vetting is current.
    vetting: Mapped[str] = mapped_column(String(40), default="none", server_default="none")
    term_years: Mapped[int] = mapped_column(Integer, default=3, server_default="3")  # a member's term
    # Set when a system admin edits the group on the admin screen; from then on the admin screen, not the
    # deployment file, is where the group is changed (load-deployment leaves it alone).
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Group {self.slug}>"
