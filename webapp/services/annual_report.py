"""A group's annual report for a year (UK calendar year): meetings held and the attendance rate, call-outs
and the advice given with the force's responses, members who joined and left, elections held, expenses
paid, and the diversity of those who joined, from their equal-opportunities answers with the equality
report's own small-number protection (no count under 5 shown, nothing that subtraction would reveal)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.clock import UK, now
from webapp.models import (
    PRESENT,
    Advice,
    CallOut,
    ClaimStatus,
    Election,
    ExpenseClaim,
    Group,
    Meeting,
    MeetingResponse,
    Member,
    Membership,
)
from webapp.services import attendance, equality_report


@dataclass(frozen=True)
class Figures:
    year: int
    group: Group
    meetings_held: int
    present: int  # attendances recorded as present, in person or online
    expected: int  # places at those meetings: everyone who was a member at each
    call_outs: int
    advice: list[Advice]
    advice_by_status: Counter
    joined: int
    left: int
    elections: list[Election]
    expenses_paid_pence: int
    diversity: equality_report.Report | None  # None until the year has ended
    winners: dict[int, str]  # election id -> who was elected

    @property
    def attendance_rate(self) -> int | None:
        """Whole per cent, or None with no meeting held."""
        return round(100 * self.present / self.expected) if self.expected else None


def current_year() -> int:
    return now().astimezone(UK).year


def build(session: Session, group: Group, year: int) -> Figures:
    start, end = equality_report.year_bounds(year)
    held = list(
        session.scalars(
            select(Meeting).where(
                Meeting.group_id == group.id,
                Meeting.cancelled.is_(False),
                Meeting.starts_at >= start,
                Meeting.starts_at < end,
            )
        )
    )
    expected = sum(len(attendance.rows(session, meeting)) for meeting in held)
    present = session.scalar(
        select(func.count())
        .select_from(MeetingResponse)
        .where(
            MeetingResponse.meeting_id.in_([m.id for m in held]),
            MeetingResponse.attendance.in_(list(PRESENT)),
        )
    )
    given = list(
        session.scalars(
            select(Advice)
            .where(Advice.group_id == group.id, Advice.given_at >= start, Advice.given_at < end)
            .order_by(Advice.given_at)
        )
    )

    def counted(model, *where) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return Figures(
        year=year,
        group=group,
        meetings_held=len(held),
        present=present or 0,
        expected=expected,
        call_outs=counted(
            CallOut, CallOut.group_id == group.id, CallOut.opened_at >= start, CallOut.opened_at < end
        ),
        advice=given,
        advice_by_status=Counter(str(a.status) for a in given),
        joined=counted(
            Membership,
            Membership.group_id == group.id,
            Membership.joined_at >= start,
            Membership.joined_at < end,
        ),
        left=counted(
            Membership, Membership.group_id == group.id, Membership.left_at >= start, Membership.left_at < end
        ),
        elections=list(
            session.scalars(
                select(Election)
                .where(Election.group_id == group.id, Election.counted_at >= start, Election.counted_at < end)
                .order_by(Election.counted_at)
            )
        ),
        expenses_paid_pence=session.scalar(
            select(func.coalesce(func.sum(ExpenseClaim.total_pence), 0)).where(
                ExpenseClaim.group_id == group.id,
                ExpenseClaim.status == ClaimStatus.PAID,
                ExpenseClaim.paid_at >= start,
                ExpenseClaim.paid_at < end,
            )
        )
        or 0,
        # Only for a year that has ended: while people are still joining, two downloads either side of one
        # joiner would show that person's answers by subtraction (the equality reporter sees them now).
        diversity=equality_report.build(session, year, group.slug) if year < current_year() else None,
        winners=_winners(session, group, start, end),
    )


def _winners(session: Session, group: Group, start, end) -> dict[int, str]:
    found = session.execute(
        select(Election.id, Member.name)
        .join(Membership, Membership.id == Election.winner_id)
        .join(Member, Member.id == Membership.member_id)
        .where(Election.group_id == group.id, Election.counted_at >= start, Election.counted_at < end)
    )
    return {election_id: name for election_id, name in found}
