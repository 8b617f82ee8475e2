"""Staff accounts: invite, roles per group, disable and enable, reset the second factor."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, url_for

from webapp.admin import bp
from webapp.admin.forms import ActionForm, ConfirmedActionForm, InviteForm, RoleForm
from webapp.admin.views import acting, confirm_with_code
from webapp.db import db_session
from webapp.models import Group, StaffRole, StaffUser
from webapp.review.helpers import INVALID
from webapp.services import groups
from webapp.services import staff as accounts
from webapp.workflow import Role


def _groups() -> list[Group]:
    return groups.in_order(db_session())


def _user(user_id: int) -> StaffUser:
    user = db_session().get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


def _refused(form, step: Callable[[], object]) -> bool:
    """Run an account step; a refusal becomes the form's error. True when refused."""
    try:
        step()
    except accounts.StaffError as exc:
        form.form_errors.append(str(exc))
        return True
    return False


@bp.route("/staff")
def staff_list():
    by_id = {g.id: g for g in _groups()}
    return render_template(
        "admin/staff_list.html", users=accounts.everyone(db_session()), groups=by_id, status=accounts.status
    )


@bp.route("/staff/invite", methods=["GET", "POST"])
def staff_invite():
    form = InviteForm().with_groups(_groups())
    if form.validate_on_submit() and not _refused(
        form,
        lambda: accounts.invite(
            db_session(),
            form.email.data,
            form.name.data.strip(),
            Role(form.role.data),
            form.group.data or None,
            accounts.Policy.of(current_app.config),
            acting(),
        ),
    ):
        flash(f"We have emailed {form.email.data} a link to set up their account.", "success")
        return redirect(url_for("admin.staff_list"))
    return render_template("admin/staff_invite.html", form=form), (INVALID if form.errors else 200)


def _user_page(
    user: StaffUser,
    role_form: RoleForm | None = None,
    action_form: ActionForm | ConfirmedActionForm | None = None,
):
    groups = _groups()
    role_form = role_form or RoleForm(formdata=None).with_groups(groups)
    action_form = action_form or ActionForm(formdata=None)
    reset_form = (
        action_form if isinstance(action_form, ConfirmedActionForm) else ConfirmedActionForm(formdata=None)
    )
    return render_template(
        "admin/staff_user.html",
        account=user,
        status=accounts.status(user),
        groups={g.id: g for g in groups},
        role_form=role_form,
        action_form=action_form,
        reset_form=reset_form,
        form=role_form if role_form.errors else action_form,
    ), (INVALID if role_form.errors or action_form.errors else 200)


@bp.route("/staff/<int:user_id>")
def staff_user(user_id: int):
    return _user_page(_user(user_id))


@bp.route("/staff/<int:user_id>/roles", methods=["POST"])
def staff_add_role(user_id: int):
    user = _user(user_id)
    form = RoleForm().with_groups(_groups())
    if form.validate_on_submit() and not _refused(
        form,
        lambda: _grant(user, form),
    ):
        flash(f"{user.name} is now {form.role.data}.", "success")
        return redirect(url_for("admin.staff_user", user_id=user.id))
    return _user_page(user, role_form=form)


@bp.route("/staff/<int:user_id>/roles/<int:role_id>/remove", methods=["POST"])
def staff_remove_role(user_id: int, role_id: int):
    user = _user(user_id)
    held = db_session().get(StaffRole, role_id)
    if held is None or held.user_id != user.id:
        abort(404)
    return _account_step(
        user, lambda: accounts.revoke_role(db_session(), user, held, acting()), "Role removed."
    )


def _account_step(user: StaffUser, step: Callable[[], object], done: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if _refused(form, step):
        return _user_page(user, action_form=form)
    flash(done, "success")
    return redirect(url_for("admin.staff_user", user_id=user.id))


@bp.route("/staff/<int:user_id>/disable", methods=["POST"])
def staff_disable(user_id: int):
    user = _user(user_id)
    return _account_step(
        user,
        lambda: accounts.disable(db_session(), user, acting()),
        f"{user.name}'s account is disabled: they are signed out everywhere and cannot sign in.",
    )


@bp.route("/staff/<int:user_id>/enable", methods=["POST"])
def staff_enable(user_id: int):
    user = _user(user_id)
    return _account_step(
        user, lambda: accounts.enable(db_session(), user, acting()), f"{user.name}'s account is enabled."
    )


@bp.route("/staff/<int:user_id>/reset", methods=["POST"])
def staff_reset(user_id: int):
    user = _user(user_id)
    form = ConfirmedActionForm()
    if not form.validate_on_submit():
        abort(400)
    policy = accounts.Policy.of(current_app.config)
    if _refused(
        form,
        lambda: _reset(user, form.code.data, policy),
    ):
        return _user_page(user, action_form=form)
    flash(
        f"We have emailed {user.email} a link to set up their password and authenticator app again.",
        "success",
    )
    return redirect(url_for("admin.staff_user", user_id=user.id))


def _grant(user: StaffUser, form: RoleForm) -> None:
    if form.role.data == Role.SYSTEM_ADMIN:
        confirm_with_code(form.code.data)
    accounts.grant_role(db_session(), user, Role(form.role.data), form.group.data or None, actor=acting())


def _reset(user: StaffUser, code: str | None, policy: accounts.Policy) -> None:
    confirm_with_code(code)
    accounts.reset_second_factor(db_session(), user, policy, acting())
