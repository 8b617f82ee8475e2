"""A group's register of members: who joined when, in what role, with a link to their signed agreement;
and a CSV export that a spreadsheet cannot be tricked into running as formulas."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import UK, now
from webapp.models import Applicant, Application, Group, MemberRole, Membership, StaffUser
from webapp.services import InputError, events
from webapp.services.actors import staff

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")


@dataclass(frozen=True)
class Row:
    membership: Membership
    name: str
    email: str
    reference: str


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
    return [Row(m, name, email or "", reference) for m, name, email, reference in session.execute(query)]


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _date(moment: datetime | None) -> str:
    return moment.astimezone(UK).date().isoformat() if moment else ""  # the day in the UK


def csv_export(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Name", "Email", "Role", "Joined", "Left", "Reference"])
    for row in rows:
        cells = [
            row.name,
            row.email,
            str(row.membership.role),
            _date(row.membership.joined_at),
            _date(row.membership.left_at),
            row.reference,
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


def _joined_by(membership: Membership) -> events.Subject:
    """A membership's events go on the application it came from."""
    return events.Subject("application", membership.application_id)


def mark_left(session: Session, membership: Membership, user: StaffUser) -> None:
    if membership.left_at is not None:
        raise InputError("This member has already left")
    membership.left_at = now()
    events.record(
        session, staff(user), "member left", _joined_by(membership), detail={"membership": membership.id}
    )


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
