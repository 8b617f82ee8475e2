"""Who may see what. One rule, used by every staff route, the inbox, search and duplicates:

- a Police Coordinator, Chair or admin team member sees the applications of the groups they serve;
- the admin team (of any group) also triages: applications whose group is not known yet, and emails that
  belong to no application (needs triage, quarantined, not an application);
- the appeals panel sees only applications that have an appeal;
- a system admin sees everything; an equality reporter sees no application at all;
- a member (signed in with an emailed link) sees their own groups' meetings, papers and call-outs while
  their membership lasts, and nothing of any other group; a former member sees nothing.

A denial looks like "not found" (so nothing about other groups leaks) and is logged."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from webapp.models import (
    Appeal,
    Application,
    Attachment,
    CallOut,
    CallOutRecipient,
    Election,
    ExpenseClaim,
    Group,
    InboundEmail,
    Meeting,
    Member,
    Membership,
    Paper,
    StaffUser,
)
from webapp.services import vetting
from webapp.workflow import APPEALS_PANEL, GROUP_ROLES, Role, State

log = logging.getLogger("iag.access")


class Denied(Exception):
    """Not there, as far as this user is concerned."""


@dataclass(frozen=True)
class Scope:
    everything: bool
    groups: frozenset[int]
    appeals: bool  # applications with an appeal
    triage: bool  # applications of no known group, and emails of no application


def holds(user: StaffUser, *roles: Role) -> bool:
    """Whether the user holds any of these roles (in any group)."""
    return any(r.role in roles for r in user.roles)


def scope(user: StaffUser) -> Scope:
    roles = {r.role for r in user.roles}
    return Scope(
        everything=Role.SYSTEM_ADMIN in roles,
        groups=frozenset(r.group_id for r in user.roles if r.group_id is not None and r.role in GROUP_ROLES),
        appeals=bool(roles & APPEALS_PANEL),
        triage=Role.ADMIN_TEAM in roles,
    )


def application_clause(user: StaffUser) -> ColumnElement[bool]:
    """A WHERE clause over Application: the rows this user may see."""
    seen = scope(user)
    if seen.everything:
        return true()
    parts: list[ColumnElement[bool]] = []
    if seen.groups:
        parts.append(Application.group_id.in_(seen.groups))
    if seen.triage:
        parts.append(Application.group_id.is_(None))
    if seen.appeals:
        parts.append(Application.id.in_(select(Appeal.application_id)))
    return or_(*parts) if parts else false()


def email_clause(user: StaffUser) -> ColumnElement[bool]:
    """A WHERE clause over InboundEmail: emails of applications the user sees, and (triage) unmatched ones."""
    seen = scope(user)
    if seen.everything:
        return true()
    visible = InboundEmail.application_id.in_(select(Application.id).where(application_clause(user)))
    if seen.triage:
        return or_(visible, InboundEmail.application_id.is_(None))
    return visible


def may_see(session: Session, user: StaffUser, application: Application) -> bool:
    return (
        session.scalar(
            select(Application.id).where(and_(Application.id == application.id, application_clause(user)))
        )
        is not None
    )


APPEAL_STATES = frozenset({State.APPEAL_LODGED, State.APPEAL_UPHELD, State.APPEAL_DISMISSED})


def decides_appeal(user: StaffUser, application: Application) -> bool:
    """The appeals panel, on an application that has been appealed: the one case it works on."""
    return holds(user, *APPEALS_PANEL) and application.state in APPEAL_STATES


def serves(user: StaffUser, group_id: int | None) -> bool:
    """Whether the user may act on (or be assigned) work of this group: they hold a role in it, or it is
    the work of no known group yet and they triage."""
    seen = scope(user)
    if group_id is None:
        return seen.everything or seen.triage
    return seen.everything or group_id in seen.groups


def application(session: Session, user: StaffUser, application_id: int) -> Application:
    found = session.get(Application, application_id)
    if found is None or not may_see(session, user, found):
        _deny(user, "application", application_id)
    return found


def email(session: Session, user: StaffUser, email_id: int) -> InboundEmail:
    found = session.get(InboundEmail, email_id)
    if (
        found is None
        or session.scalar(select(InboundEmail.id).where(InboundEmail.id == email_id, email_clause(user)))
        is None
    ):
        _deny(user, "email", email_id)
    return found


def attachment(session: Session, user: StaffUser, attachment_id: int) -> Attachment:
    found = session.get(Attachment, attachment_id)
    if found is None:
        _deny(user, "attachment", attachment_id)
    try:
        if found.application_id is not None:
            application(session, user, found.application_id)
        elif found.email_id is not None:
            email(session, user, found.email_id)
        else:
            raise Denied("a file of no application or email")
    except Denied:
        _deny(user, "attachment", attachment_id)
    return found


def group(session: Session, user: StaffUser, slug: str) -> Group:
    """A group whose documents, meetings and members this user manages: they hold a role in it."""
    found = session.scalar(select(Group).where(Group.slug == slug))
    if found is None or not serves(user, found.id):
        _deny(user, "group", slug)
    return found


def _deny(user: StaffUser, kind: str, object_id: int | str) -> NoReturn:
    log.warning("access denied: staff:%s asked for %s %s", user.id, kind, object_id)
    raise Denied(f"{kind} {object_id}")


def served_groups(session: Session, user: StaffUser) -> list[Group]:
    """The groups whose pages (documents, meetings, members, figures) the user works with, in order."""
    seen = scope(user)
    query = select(Group).order_by(Group.position)
    if not seen.everything:
        query = query.where(Group.id.in_(seen.groups))
    return list(session.scalars(query))


# Members --------------------------------------------------------------------------------------------------


def membership_in(session: Session, member: Member, group_id: int) -> Membership | None:
    """The member's current membership of this group, if they have one."""
    return session.scalar(
        select(Membership).where(
            Membership.member_id == member.id, Membership.group_id == group_id, Membership.left_at.is_(None)
        )
    )


def member_group(session: Session, member: Member, slug: str) -> tuple[Group, Membership]:
    found = session.scalar(select(Group).where(Group.slug == slug))
    membership = membership_in(session, member, found.id) if found else None
    if found is None or membership is None:
        _deny_member(member, "group", slug)
    return found, membership


def member_meeting(session: Session, member: Member, meeting_id: int) -> tuple[Meeting, Membership]:
    found = session.get(Meeting, meeting_id)
    membership = membership_in(session, member, found.group_id) if found else None
    if found is None or membership is None:
        _deny_member(member, "meeting", meeting_id)
    return found, membership


def member_paper(session: Session, member: Member, paper_id: int) -> Paper:
    """A paper of one of the member's current groups, while it is published; a confidential one of a group
    that requires vetting, only while the member's vetting is current."""
    found = session.get(Paper, paper_id)
    membership = membership_in(session, member, found.group_id) if found else None
    if found is None or found.withdrawn_at is not None or membership is None:
        _deny_member(member, "paper", paper_id)
    if found.confidential and not vetting.cleared(session, membership):
        _deny_member(member, "paper (vetting not current)", paper_id)
    return found


def member_call_out(session: Session, member: Member, call_out_id: int) -> tuple[CallOut, CallOutRecipient]:
    """A call-out that asked this member, in a group they are still a member of."""
    found = session.get(CallOut, call_out_id)
    membership = membership_in(session, member, found.group_id) if found else None
    asked = (
        session.scalar(
            select(CallOutRecipient).where(
                CallOutRecipient.call_out_id == call_out_id, CallOutRecipient.membership_id == membership.id
            )
        )
        if membership
        else None
    )
    if found is None or asked is None:
        _deny_member(member, "call-out", call_out_id)
    return found, asked


def member_election(session: Session, member: Member, election_id: int) -> tuple[Election, Membership]:
    """An election of a group the member is still a member of."""
    found = session.get(Election, election_id)
    membership = membership_in(session, member, found.group_id) if found else None
    if found is None or membership is None or found.cancelled_at is not None:
        _deny_member(member, "election", election_id)
    return found, membership


def member_claim(session: Session, member: Member, claim_id: int) -> ExpenseClaim:
    """One of the member's own expenses claims, in a group they are still a member of."""
    found = session.get(ExpenseClaim, claim_id)
    membership = session.get(Membership, found.membership_id) if found and found.membership_id else None
    if (
        found is None
        or membership is None
        or membership.member_id != member.id
        or membership.left_at is not None
    ):
        _deny_member(member, "expenses claim", claim_id)
    return found


def _deny_member(member: Member, kind: str, object_id: int | str) -> NoReturn:
    log.warning("access denied: member:%s asked for %s %s", member.id, kind, object_id)
    raise Denied(f"{kind} {object_id}")
