from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now
from webapp.db import Base, UTCDateTime
from webapp.models.groups import Group


class Draft(Base):
    """An application being filled in on the web. Not yet an Application: it becomes one on submit, through
    the same service an emailed application goes through. Untouched drafts are deleted after 30 days."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requirements_confirmed: Mapped[bool] = mapped_column(default=False)
    screening_consent: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    # What was typed on a page when the person switched language: shown once on that page, in the other
    # language, and never taken as answers (those are checked when the page is sent). Kept here, not in
    # the session cookie, which long answers would overflow.
    carried: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    resume_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)

    group: Mapped[Group] = relationship()


class ApplicantLink(Base):
    """A magic link to an applicant's own page: no account, just a long random token sent by email."""

    __tablename__ = "applicant_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
