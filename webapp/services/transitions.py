"""The only place an application's state changes: checked by the workflow, recorded as an event, and told
to the staff it concerns (services/news.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from webapp import workflow
from webapp.clock import now
from webapp.models import Application
from webapp.services import events, news
from webapp.services.actors import Actor


def apply(
    session: Session,
    application: Application,
    action: workflow.Action,
    actor: Actor,
    ctx: workflow.Context | None = None,
    detail: dict[str, Any] | None = None,
) -> workflow.State:
    """Move `application` on by `action`, or raise workflow.NotAllowed and change nothing."""
    ctx = ctx or workflow.Context(actor_id=actor.user_id)
    before = application.state
    after = workflow.check(before, action, actor.roles_for(application.group_id), ctx)
    application.state = after
    application.state_changed_at = now()
    if application.id is None:
        session.flush()  # the event names the application by its id
    events.record(
        session, actor, str(action), application, from_state=str(before), to_state=str(after), detail=detail
    )
    news.after_transition(session, application, action, actor, detail or {})
    return after
