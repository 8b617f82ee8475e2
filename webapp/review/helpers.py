"""What the staff view modules share: the navigation's context, loading what a page acts on through
`access` (so other groups' items are "not found"), and turning a service's refusal into a form error.

A refused input re-renders its form with the message (status 422, so nothing is committed); a step the
workflow refuses shows why (409)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug import Response

from webapp import auth, workflow
from webapp.db import db_session
from webapp.models import Application, Group
from webapp.review.forms import ActionForm, GroupForm
from webapp.services import access, waiting
from webapp.services.actors import staff
from webapp.staff.forms import SignOutForm
from webapp.workflow import Action, Role

INVALID = 422


def staff_context() -> dict[str, Any]:
    """What the staff pages' navigation needs (the report and admin pages use it too)."""
    user = auth.staff_user() if current_user.is_authenticated else None
    seen = access.scope(user) if user else None
    return {
        "user": user,
        "can_triage": bool(seen and (seen.triage or seen.everything)),
        "can_see_pipeline": bool(seen and (seen.groups or seen.everything)),
        "can_report": bool(user and access.holds(user, Role.EQUALITY_REPORTER, Role.SYSTEM_ADMIN)),
        "can_administer": bool(user and access.holds(user, Role.SYSTEM_ADMIN)),
        "sign_out_form": SignOutForm(),
        "waiting_count": waiting.count(db_session(), user) if user else 0,
    }


def served_group(slug: str) -> Group:
    """A group whose pages the signed-in member of staff works with ("not found" otherwise)."""
    return access.group(db_session(), auth.staff_user(), slug)


T = TypeVar("T")


def of_group(group: Group, model: type[T], object_id: int) -> T:
    """One of the group's own meetings, papers, call-outs, messages...: "not found" for another group's."""
    found = db_session().get(model, object_id)
    if found is None or getattr(found, "group_id", None) != group.id:
        abort(404)
    return found


def load(application_id: int) -> Application:
    return access.application(db_session(), auth.staff_user(), application_id)


def back(application: Application, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("review.application_page", application_id=application.id))


def button(application_id: int, run: Callable[[Application], object], message: str) -> Response:
    """A one-button step (POST with only the CSRF token)."""
    application = load(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    run(application)
    return back(application, message)


def form_page(application: Application, form, template: str, title: str, status: int = 200, **extra):
    return render_template(
        f"review/{template}.html", application=application, form=form, title=title, **extra
    ), status


def check_action(application: Application, action: Action) -> None:
    """Show a form only when its step is possible now (the POST is checked again by the workflow)."""
    roles = staff(auth.staff_user()).roles_for(application.group_id)
    if action not in workflow.available_actions(application.state, roles):
        raise workflow.NotAllowed(f"You cannot {action} this application now: it is {application.state}.")


def group_form(groups: list[Group], form: GroupForm | None = None) -> GroupForm:
    """The form to choose a group, offering `groups`."""
    form = form or GroupForm()
    form.group.choices = [("", "Choose a group"), *[(str(g.id), g.name) for g in groups]]
    return form
