"""What a member's own page shows, gathered in one place: for each of their current groups, its next
meetings with their answer, and its papers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Group, Meeting, MeetingResponse, Member, Membership, Paper
from webapp.services import meetings, members, papers, vetting


@dataclass(frozen=True)
class Coming:
    meeting: Meeting
    response: MeetingResponse | None


@dataclass(frozen=True)
class GroupPart:
    group: Group
    membership: Membership
    meetings: list[Coming]
    papers: list[Paper]
    cleared: bool  # may read the group's confidential papers (no vetting needed, or theirs is current)


def answers(session: Session, membership: Membership, meeting_ids: list[int]) -> dict[int, MeetingResponse]:
    if not meeting_ids:
        return {}
    found = session.scalars(
        select(MeetingResponse).where(
            MeetingResponse.membership_id == membership.id, MeetingResponse.meeting_id.in_(meeting_ids)
        )
    )
    return {response.meeting_id: response for response in found}


def home(session: Session, member: Member) -> list[GroupPart]:
    parts = []
    for membership in members.current(session, member):
        group = session.get_one(Group, membership.group_id)
        coming = meetings.future(session, group.id)
        given = answers(session, membership, [m.id for m in coming])
        parts.append(
            GroupPart(
                group,
                membership,
                [Coming(meeting, given.get(meeting.id)) for meeting in coming],
                papers.of_group(session, group),
                vetting.cleared(session, membership),
            )
        )
    return parts
