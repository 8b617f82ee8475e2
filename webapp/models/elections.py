"""Elections of a group's Chair and Vice Chair by its members, with a secret ballot.

Who voted and what was voted are kept apart so that nothing can join them: the roll is one row per
election holding the set of memberships that have voted (sorted; no times, no order); the ballot box is
one row per election holding the choices, shuffled at every vote. Both are written in the one transaction
that counts a vote exactly once. Neither row says when anyone voted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now
from webapp.db import Base, UTCDateTime, enum_type


class Office(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice chair"


class Election(Base):
    __tablename__ = "elections"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    office: Mapped[Office] = mapped_column(enum_type(Office, 20))
    nominations_open_at: Mapped[datetime] = mapped_column(UTCDateTime)
    nominations_close_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voting_open_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voting_close_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tie_rule: Mapped[str] = mapped_column(String(40))  # the force's rule for a tie, as set when opened
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The result, once counted: the votes per candidate, how a tie was settled, the winner and their term.
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    winner_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"))
    term_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Candidate(Base):
    """A member nominated (by themselves, or by another member, when they must accept)."""

    __tablename__ = "election_candidates"
    __table_args__ = (UniqueConstraint("election_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    # Emptied when the person's records are erased: the candidacy and its votes stay in the count.
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"))
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"))
    statement: Mapped[str] = mapped_column(Text, default="")
    nominated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ElectionRoll(Base):
    """Who has voted in an election: one row, the sorted membership ids. No times."""

    __tablename__ = "election_rolls"

    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    voted: Mapped[list[int]] = mapped_column(JSON, default=list)


class BallotBox(Base):
    """What was voted in an election: one row, the candidate ids chosen, shuffled at every vote. No voter,
    no time, no order."""

    __tablename__ = "ballot_boxes"

    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    ballots: Mapped[list[int]] = mapped_column(JSON, default=list)
