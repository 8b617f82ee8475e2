"""Changing a group on the admin screen: whether it is open to applicants, who can join, where it meets."""

from __future__ import annotations

from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import Group, StaffUser
from webapp.services import actors, events

# What a system admin may change; the slug (in links) and the kind stay as the deployment file set them.
EDITABLE = ("name", "open_to_applicants", "summary", "requirements", "screening_may_apply", "meeting_place")


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
