"""Taking an office a group's members elected: the winner holds it for IAG_OFFICE_TERM_YEARS from the
close of voting; whoever held it steps down in the same step; a Chair also becomes a staff Chair of the
group (invited to set up staff sign-in if new to it), and the previous Chair's staff Chair role ends."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import years_after
from webapp.models import Election, Group, Member, MemberRole, Membership, Office
from webapp.services import events, staff
from webapp.services.actors import SYSTEM
from webapp.workflow import Role


def take_office(session: Session, election: Election, membership: Membership) -> None:
    role = MemberRole.CHAIR if election.office == Office.CHAIR else MemberRole.VICE_CHAIR
    group = session.get_one(Group, election.group_id)
    subject = events.Subject("election", election.id)
    for holder in session.scalars(
        select(Membership).where(
            Membership.group_id == group.id, Membership.role == role, Membership.id != membership.id
        )
    ):
        holder.role = MemberRole.MEMBER
        events.record(session, SYSTEM, "stepped down", subject, detail={"membership": holder.id})
        if role == MemberRole.CHAIR:
            _staff_chair(session, group, holder, give=False)
    membership.role = role
    election.term_ends_at = years_after(election.voting_close_at, current_app.config["OFFICE_TERM_YEARS"])
    events.record(
        session, SYSTEM, "office taken", subject, detail={"membership": membership.id, "office": str(role)}
    )
    if role == MemberRole.CHAIR:
        _staff_chair(session, group, membership, give=True)


def _staff_chair(session: Session, group: Group, membership: Membership, give: bool) -> None:
    """A group's Chair reviews its applications: the staff Chair role follows the office."""
    person = session.get(Member, membership.member_id) if membership.member_id else None
    if person is None or not person.email:
        return
    user = staff.find_by_email(session, person.email)
    if give:
        if user is None:
            policy = staff.Policy.of(current_app.config)
            staff.invite(session, person.email, person.name, Role.CHAIR, group.slug, policy, SYSTEM)
        elif not any(held.role == Role.CHAIR and held.group_id == group.id for held in user.roles):
            staff.grant_role(session, user, Role.CHAIR, group.slug, SYSTEM)
        return
    if user is not None:
        for held in [h for h in user.roles if h.role == Role.CHAIR and h.group_id == group.id]:
            staff.revoke_role(session, user, held, SYSTEM)
