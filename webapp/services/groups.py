"""The force's groups: finding them, in the deployment's order, and changing one on the admin screen
(whether it is open to applicants, who can join, where it meets)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import Group, StaffUser
from webapp.services import actors, events

# What a system admin may change; the slug (in links) and the kind stay as the deployment file set them.
EDITABLE = ("name", "open_to_applicants", "summary", "requirements", "screening_may_apply", "meeting_place")


def by_slug(session: Session, slug: str) -> Group | None:
    return session.scalar(select(Group).where(Group.slug == slug))


def in_order(session: Session) -> list[Group]:
    """Every group, in the deployment's order."""
    return list(session.scalars(select(Group).order_by(Group.position, Group.id)))


def open_to_applicants(session: Session) -> list[Group]:
    """The groups taking applications, in the deployment's order."""
    return [group for group in in_order(session) if group.open_to_applicants]


def update(session: Session, group: Group, changes: dict, user: StaffUser) -> list[str]:
    """Apply the changed fields and record which changed (not what to: the texts are public anyway, and
    the event log stays short). Returns the names of the fields that changed."""
    changed = [name for name in EDITABLE if name in changes and getattr(group, name) != changes[name]]
    if not changed:
        return []
    for name in changed:
        setattr(group, name, changes[name])
    group.edited_at = now()
    session.flush()
    events.record(
        session,
        actors.staff(user),
        "group changed",
        events.Subject("group", group.id),
        detail={"group": group.slug, "changed": changed},
    )
    return changed
