"""Who may see what: every staff route that loads an object asks here. A denial looks like "not found"
(so nothing about other groups leaks) and is logged."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from webapp.models import Application, Attachment, InboundEmail, StaffUser
from webapp.services.actors import group_ids_served

log = logging.getLogger("iag.access")


class Denied(Exception):
    """Not there, as far as this user is concerned."""


def may_see_group(user: StaffUser, group_id: int | None) -> bool:
    served = group_ids_served(user)
    return served is None or (group_id is not None and group_id in served)


def application(session: Session, user: StaffUser, application_id: int) -> Application:
    found = session.get(Application, application_id)
    if found is None or not may_see_group(user, found.group_id):
        _deny(user, "application", application_id)
    return found


def attachment(session: Session, user: StaffUser, attachment_id: int) -> Attachment:
    found = session.get(Attachment, attachment_id)
    group_id = None
    if found is not None:
        owner = found.application_id
        if owner is None and found.email_id is not None:
            owner = session.get(InboundEmail, found.email_id).application_id
        group_id = session.get(Application, owner).group_id if owner else None
    if found is None or not may_see_group(user, group_id):
        _deny(user, "attachment", attachment_id)
    return found


def _deny(user: StaffUser, kind: str, object_id: int) -> None:
    log.warning("access denied: staff:%s asked for %s %s", user.id, kind, object_id)
    raise Denied(f"{kind} {object_id}")
