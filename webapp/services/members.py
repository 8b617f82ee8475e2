"""Members: joining (the person behind the membership made or found by their email address), the person's
own details and leaving; a group's register of members (who joined when, in what role, with a link to
their signed agreement, and their attendance); and a CSV export that a spreadsheet cannot be tricked into
running as formulas."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import UK, now, years_after
from webapp.models import (
    Applicant,
    Application,
    Availability,
    Group,
    Member,
    MemberRole,
    Membership,
    StaffUser,
    Vetting,
)
from webapp.services import InputError, attendance, events, news
from webapp.services.actors import Actor, member_actor, staff

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")


@dataclass(frozen=True)
class Row:
    membership: Membership
    name: str
    email: str
    reference: str
    attended: int = 0  # meetings in the last 12 months, in person or online
    expected: int = 0  # the group's expected meetings over that time (in proportion for a newer member)
    vetting: Vetting | None = None  # as recorded, where the group requires it

    @property
    def below_expected(self) -> bool:
        return self.membership.left_at is None and self.attended < self.expected


def address(email: str | None) -> str:
    """An email address as members are found by it: trimmed, in lower case."""
    return (email or "").strip().lower()


def by_email(session: Session, email: str) -> Member | None:
    return session.scalar(select(Member).where(Member.email == address(email))) if address(email) else None


def with_addresses(session: Session, addresses: set[str]) -> set[str]:
    """Which of these (lower-case) addresses are members' own: their mail is a member's, never an
    application."""
    if not addresses:
        return set()
    return {
        email for email in session.scalars(select(Member.email).where(Member.email.in_(addresses))) if email
    }


def join(session: Session, application: Application, agreement_id: int | None) -> Membership:
    """The membership a signed agreement makes, with its person: found by the email address applied with
    (a member of a second group is one person), else made from the application, which gives the first
    details they can then keep up to date themselves."""
    person = application.known_applicant
    member = by_email(session, person.email or "")
    if member is None:
        answers = application.answers or {}
        member = Member(
            email=address(person.email) or None,
            name=person.name,
            phone=person.phone or "",
            contact_preference=str(answers.get("contact_preference") or "Email"),
            communities=str(answers.get("communities") or ""),
            accessibility_needs=str(answers.get("adjustments") or ""),
            language=person.language,
        )
        session.add(member)
        session.flush()
    group = application.known_group
    membership = Membership(
        application_id=application.id,
        group_id=group.id,
        role=MemberRole.MEMBER,
        joined_at=now(),
        agreement_attachment_id=agreement_id,
        member_id=member.id,
        term_ends_on=years_after(now().date(), group.term_years),
    )
    session.add(membership)
    session.flush()
    return membership


def name_of(session: Session, membership_id: int | None) -> str:
    """The name of the person behind a membership, as the register shows it ("" once erased)."""
    if membership_id is None:
        return ""
    return (
        session.scalar(
            select(Applicant.name)
            .join(Application, Application.applicant_id == Applicant.id)
            .join(Membership, Membership.application_id == Application.id)
            .where(Membership.id == membership_id)
        )
        or ""
    )


def current(session: Session, member: Member) -> list[Membership]:
    """The person's memberships that have not ended, in the groups' order."""
    return list(
        session.scalars(
            select(Membership)
            .join(Group, Group.id == Membership.group_id)
            .where(Membership.member_id == member.id, Membership.left_at.is_(None))
            .order_by(Group.position, Group.id)
        )
    )


def of_group(session: Session, group_id: int) -> list[tuple[Membership, Member]]:
    """A group's current members who can be written to (their person known, with an email address)."""
    return [
        (membership, member)
        for membership, member in session.execute(
            select(Membership, Member)
            .join(Member, Member.id == Membership.member_id)
            .where(Membership.group_id == group_id, Membership.left_at.is_(None), Member.email.is_not(None))
            .order_by(Member.name, Member.id)
        )
    ]


def chosen(session: Session, group_id: int, membership_ids: list[int]) -> list[tuple[Membership, Member]]:
    """The current members picked (by membership id) for a call-out or a message: refused unless each is
    one of the group's current members and at least one is picked."""
    reachable = {membership.id: (membership, member) for membership, member in of_group(session, group_id)}
    picked = [reachable[i] for i in dict.fromkeys(membership_ids) if i in reachable]
    if len(picked) != len(set(membership_ids)):
        raise InputError("Someone chosen is not a current member of this group", "members")
    if not picked:
        raise InputError("Choose at least one member", "members")
    return picked


DETAILS = (
    "phone",
    "contact_preference",
    "communities",
    "skills",
    "specialisms",
    "languages_spoken",
    "accessibility_needs",
    "availability",
)


def update_details(session: Session, member: Member, changes: dict[str, str]) -> list[str]:
    """The member's own details, as they gave them; the names of those that changed (recorded, without
    the values: the event log is not a second copy of their details)."""
    changed = []
    for name in DETAILS:
        if name not in changes:
            continue
        value: str | Availability | None = (changes[name] or "").strip()
        if name == "availability":
            value = Availability(value) if value else None
        if getattr(member, name) != value:
            setattr(member, name, value)
            changed.append(name)
    if changed:
        member.updated_at = now()
        events.record(
            session,
            member_actor(member),
            "member details changed",
            _person(member),
            detail={"fields": changed},
        )
    return changed


def leave(session: Session, membership: Membership, actor: Actor, reason: str = "") -> None:
    """The membership ends, with its reason and date: by the member's own choice (their page) or marked by
    staff. Access to the group ends at once; the record is left to the retention policy."""
    if membership.left_at is not None:
        raise InputError("This member has already left")
    membership.left_at = now()
    membership.left_reason = (reason or "").strip()[:1000] or (
        "left from their own page" if actor.user is None else "marked as left by staff"
    )
    events.record(
        session,
        actor,
        "member left",
        _joined_by(membership),
        detail={"membership": membership.id, "reason": membership.left_reason},
    )
    if actor.user is None:  # the member's own choice: their group's staff hear of it
        person = session.get(Member, membership.member_id) if membership.member_id else None
        news.member_left(
            session,
            session.get_one(Application, membership.application_id),
            person.name if person else "A member",
        )


def _person(member: Member) -> events.Subject:
    return events.Subject("member", member.id)


def of(session: Session, application: Application) -> Membership | None:
    """The membership an application led to, if it did."""
    return session.scalar(select(Membership).where(Membership.application_id == application.id))


def register(session: Session, group: Group, include_left: bool = True) -> list[Row]:
    query = (
        select(Membership, Applicant.name, Applicant.email, Application.reference)
        .join(Application, Membership.application_id == Application.id)
        .join(Applicant, Application.applicant_id == Applicant.id)
        .where(Membership.group_id == group.id)
        .order_by(Membership.left_at.is_not(None), Applicant.name)
    )
    if not include_left:
        query = query.where(Membership.left_at.is_(None))
    attended = attendance.attended_last_year(session, group)
    vetted = {
        v.membership_id: v
        for v in session.scalars(
            select(Vetting)
            .join(Membership, Membership.id == Vetting.membership_id)
            .where(Membership.group_id == group.id)
        )
    }
    return [
        Row(
            m,
            name,
            email or "",
            reference,
            attended.get(m.id, 0),
            attendance.expected_so_far(group, m),
            vetted.get(m.id),
        )
        for m, name, email, reference in session.execute(query)
    ]


def spreadsheet_writer(out: io.StringIO) -> Any:
    """A CSV writer for files people open in a spreadsheet: every cell quoted, so a list separator inside
    a cell (";" in much of Europe) never splits it into one that starts like a formula."""
    return csv.writer(out, quoting=csv.QUOTE_ALL)


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _date(moment: datetime | None) -> str:
    return moment.astimezone(UK).date().isoformat() if moment else ""  # the day in the UK


def csv_export(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = spreadsheet_writer(out)
    writer.writerow(
        ["Name", "Email", "Role", "Joined", "Left", "Reference", "Meetings (12 months)", "Expected"]
    )
    for row in rows:
        cells = [
            row.name,
            row.email,
            str(row.membership.role),
            _date(row.membership.joined_at),
            _date(row.membership.left_at),
            row.reference,
            str(row.attended),
            str(row.expected),
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


def _joined_by(membership: Membership) -> events.Subject:
    """A membership's events go on the application it came from."""
    return events.Subject("application", membership.application_id)


def mark_left(session: Session, membership: Membership, user: StaffUser, reason: str = "") -> None:
    leave(session, membership, staff(user), reason)


def set_role(session: Session, membership: Membership, user: StaffUser, role: str) -> None:
    try:
        chosen = MemberRole(role)
    except ValueError:
        raise InputError("Choose member, chair or vice chair", "role") from None
    before = membership.role
    membership.role = chosen
    events.record(
        session,
        staff(user),
        "member role changed",
        _joined_by(membership),
        detail={"membership": membership.id, "before": str(before), "after": str(chosen)},
    )
