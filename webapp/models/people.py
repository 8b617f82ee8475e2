from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now
from webapp.db import Base, UTCDateTime, enum_type
from webapp.workflow import Role


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    enrolment_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's identity: bumping it ends all of this user's sessions at once.
    session_generation: Mapped[int] = mapped_column(Integer, default=1)
    # The person's Entra object id (`oid`), set the first time they sign in with the force account.
    entra_object_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    roles: Mapped[list[StaffRole]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<StaffUser {self.email}>"


class StaffRole(Base):
    """A role a staff user holds in one group (coordinator, chair, admin team), or in all (group_id None)."""

    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("user_id", "group_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, 40))

    user: Mapped[StaffUser] = relationship(back_populates="roles")


class LoginAttempt(Base):
    """Every staff sign-in attempt, kept for the security log: when, from where, and how it ended."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    email: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    ip_address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(80))


class Applicant(Base):
    """A person who applies. No account: they reach their page through emailed links."""

    __tablename__ = "applicants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The language the person chose (or wrote in): everything sent to them is in it.
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    language_chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
