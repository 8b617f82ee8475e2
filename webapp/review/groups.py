"""The staff pages of a group: its documents (versioned), its meetings, and its register of members."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from webapp import auth
from webapp.clock import UK, now, uk_date
from webapp.db import db_session
from webapp.forms import attempt
from webapp.models import DocumentKind, Meeting, Membership
from webapp.review import bp
from webapp.review.forms import ActionForm, DocumentForm, MeetingForm, MemberRoleForm
from webapp.review.group_forms import EndMembershipForm, VettingForm
from webapp.review.helpers import INVALID, of_group, served_group
from webapp.services import InputError, access, documents, meetings, members, terms, vetting

KINDS = {
    "terms-of-reference": DocumentKind.TERMS_OF_REFERENCE,
    "agreement": DocumentKind.CONFIDENTIALITY_AGREEMENT,
}


@bp.route("/groups")
@login_required
def group_list():
    return render_template("review/groups.html", groups=access.served_groups(db_session(), auth.staff_user()))


@bp.route("/groups/<slug>/documents/<kind>", methods=["GET", "POST"])
@login_required
def group_documents(slug: str, kind: str):
    """One document in one language (`?language=cy` for the Welsh text, where the service offers Welsh)."""
    group = served_group(slug)
    offered = current_app.extensions["deployment"].languages
    language = request.args.get("language", "en")
    if kind not in KINDS or language not in offered:
        abort(404)
    form = DocumentForm()
    session = db_session()
    if form.validate_on_submit() and attempt(
        form,
        lambda: documents.publish(
            session, group, KINDS[kind], form.body.data, auth.staff_user(), language=language
        ),
    ):
        flash("New version published. Signatures from now on use it.", "success")
        return redirect(url_for("review.group_documents", slug=slug, kind=kind, language=language))
    versions = documents.history(session, group, KINDS[kind], language)
    if not form.is_submitted():
        form.body.data = versions[0].body
    return render_template(
        "review/group_documents.html",
        group=group,
        form=form,
        versions=versions,
        kind=kind,
        language=language,
        languages=[(code, documents.LANGUAGE_NAMES[code]) for code in offered] if len(offered) > 1 else [],
        newer_english=documents.behind(session, group, KINDS[kind], language),
    ), (INVALID if form.errors else 200)


@bp.route("/groups/<slug>/meetings", methods=["GET", "POST"])
@login_required
def group_meetings(slug: str):
    group = served_group(slug)
    form = MeetingForm()
    session = db_session()
    if form.validate_on_submit() and attempt(
        form,
        lambda: meetings.add(session, group, auth.staff_user(), form.time_and_place()),
    ):
        flash("Meeting added.", "success")
        return redirect(url_for("review.group_meetings", slug=slug))
    return render_template(
        "review/group_meetings.html",
        group=group,
        form=form,
        meetings=meetings.upcoming_for_staff(session, group),
        past=meetings.past_for_staff(session, group),
        reminder_days=current_app.config["MEETING_REMINDER_DAYS"],
        action_form=ActionForm(),
    ), (INVALID if form.errors else 200)


@bp.route("/groups/<slug>/meetings/<int:meeting_id>/move", methods=["GET", "POST"])
@login_required
def move_meeting(slug: str, meeting_id: int):
    group = served_group(slug)
    meeting = of_group(group, Meeting, meeting_id)
    form = MeetingForm()
    if form.validate_on_submit() and attempt(
        form,
        lambda: meetings.move(db_session(), meeting, auth.staff_user(), form.time_and_place()),
    ):
        flash("Meeting moved.", "success")
        return redirect(url_for("review.group_meetings", slug=slug))
    if not form.is_submitted():
        local = meeting.starts_at.astimezone(UK)
        form.date.data, form.start.data = local.date(), local.strftime("%H:%M")
        form.place.data, form.online_link.data = meeting.place, meeting.online_link
        form.duration.data = str(int((meeting.ends_at - meeting.starts_at).total_seconds() // 60))
    return render_template("review/move_meeting.html", group=group, form=form, meeting=meeting), (
        INVALID if form.errors else 200
    )


@bp.route("/groups/<slug>/meetings/<int:meeting_id>/cancel", methods=["POST"])
@login_required
def cancel_meeting(slug: str, meeting_id: int):
    group = served_group(slug)
    meeting = of_group(group, Meeting, meeting_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    meetings.cancel(db_session(), meeting, auth.staff_user())
    flash("Meeting cancelled.", "success")
    return redirect(url_for("review.group_meetings", slug=slug))


@bp.route("/groups/<slug>/members")
@login_required
def group_members(slug: str):
    group = served_group(slug)
    return render_template(
        "review/group_members.html",
        group=group,
        rows=members.register(db_session(), group),
        today=now().date(),
        action_form=ActionForm(),
        role_form=MemberRoleForm(),
    )


@bp.route("/groups/<slug>/members/<int:membership_id>/vetting", methods=["GET", "POST"])
@login_required
def member_vetting(slug: str, membership_id: int):
    """A member's vetting or screening, as the vetting unit reported it: status, level and dates only."""
    group = served_group(slug)
    membership = of_group(group, Membership, membership_id)
    session = db_session()
    found = vetting.of(session, membership)
    form = VettingForm(obj=found if request.method == "GET" else None)
    if form.validate_on_submit() and attempt(
        form,
        lambda: vetting.record(
            session,
            membership,
            auth.staff_user(),
            form.status.data,
            form.level.data or group.vetting,
            form.granted_on.data,
            form.expires_on.data,
        ),
    ):
        flash("Vetting recorded.", "success")
        return redirect(url_for("review.group_members", slug=slug))
    if not form.is_submitted() and found is None:
        form.level.data = group.vetting
    name = members.name_of(db_session(), membership.id)
    return render_template("review/member_vetting.html", group=group, form=form, name=name), (
        INVALID if form.errors else 200
    )


@bp.route("/groups/<slug>/members.csv")
@login_required
def group_members_csv(slug: str):
    group = served_group(slug)
    response = Response(members.csv_export(members.register(db_session(), group)), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=f"{group.slug}-members.csv")
    return response


@bp.route("/groups/<slug>/members/<int:membership_id>/left", methods=["GET", "POST"])
@login_required
def member_left(slug: str, membership_id: int):
    """End a membership, with its reason (the member's access ends at once)."""
    group = served_group(slug)
    membership = of_group(group, Membership, membership_id)
    form = EndMembershipForm()
    if membership.left_at is not None:
        flash("This member has already left.", "error")
        return redirect(url_for("review.group_members", slug=slug))
    if form.validate_on_submit() and attempt(
        form, lambda: terms.end(db_session(), membership, auth.staff_user(), form.reason.data)
    ):
        flash("Membership ended. The member can no longer see the group's pages.", "success")
        return redirect(url_for("review.group_members", slug=slug))
    name = members.name_of(db_session(), membership.id)
    return render_template(
        "review/end_membership.html", group=group, form=form, name=name, membership=membership
    ), (INVALID if form.errors else 200)


@bp.route("/groups/<slug>/members/<int:membership_id>/renew", methods=["POST"])
@login_required
def renew_member(slug: str, membership_id: int):
    group = served_group(slug)
    membership = of_group(group, Membership, membership_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        until = terms.renew(db_session(), membership, auth.staff_user())
    except InputError as exc:
        flash(exc.message, "error")
    else:
        flash(f"Renewed until {uk_date(until)}. The member has been emailed.", "success")
    return redirect(url_for("review.group_members", slug=slug))


@bp.route("/groups/<slug>/members/<int:membership_id>/role", methods=["POST"])
@login_required
def member_role(slug: str, membership_id: int):
    group = served_group(slug)
    membership = of_group(group, Membership, membership_id)
    form = MemberRoleForm()
    if not form.validate_on_submit():
        abort(400)
    members.set_role(db_session(), membership, auth.staff_user(), form.role.data)
    flash("Role changed.", "success")
    return redirect(url_for("review.group_members", slug=slug))
