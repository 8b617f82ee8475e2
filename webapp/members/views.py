"""The members' pages. Views are thin: who may see what is services/access.py, the work is in services."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext

from webapp.clock import now
from webapp.db import db_session
from webapp.forms import attempt
from webapp.members import bp
from webapp.members.forms import (
    ADVICE_SOURCES,
    ADVICE_STATUSES,
    ANSWERS,
    ATTENDANCE,
    AVAILABILITY,
    STATUS_CLASSES,
    URGENCY,
    ActionForm,
    AnswerForm,
    CallOutAnswerForm,
    DetailsForm,
    LeaveForm,
    RenewalForm,
    SignInForm,
)
from webapp.members.session import current_member, member_required, next_page, sign_in, sign_out, signed_in
from webapp.models import Group
from webapp.services import (
    InputError,
    access,
    advice,
    attendance,
    call_outs,
    elections,
    meetings,
    member_page,
    member_sign_in,
    members,
    papers,
    terms,
)
from webapp.services.actors import member_actor


@bp.route("/")
@member_required
def home():
    member = current_member()
    return render_template(
        "members/home.html",
        member=member,
        parts=member_page.home(db_session(), member),
        call_outs=call_outs.waiting_for(db_session(), member),
        elections=elections.for_member(db_session(), member),
        answer_labels=ANSWERS,
        availability_labels=dict(AVAILABILITY),
    )


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in_page():
    if signed_in() is not None:
        return redirect(url_for("members.home"))
    form = SignInForm()
    if form.validate_on_submit():
        member_sign_in.request_link(db_session(), form.email.data)
        return render_template("members/link_sent.html", email=form.email.data)
    return render_template("members/sign_in.html", form=form), (422 if form.errors else 200)


@bp.route("/sign-in/<token>", methods=["GET", "POST"])
def use_link(token: str):
    """The emailed link opens a page with one button: a mail scanner that opens links does not use it up."""
    form = ActionForm()
    if form.validate_on_submit():
        member = member_sign_in.use_link(db_session(), token)
        if member is not None:
            sign_in(member)
            return redirect(next_page())
    elif member_sign_in.usable(db_session(), token):
        return render_template("members/use_link.html", form=form)
    return render_template("members/link_refused.html"), 410


@bp.route("/sign-out", methods=["POST"])
def sign_out_page():
    if ActionForm().validate_on_submit():
        member = signed_in()
        if member is not None:
            member_sign_in.sign_out(db_session(), member)  # on every device: a copied cookie too
        sign_out()
        flash(gettext("You have signed out on every device."), "success")
    return redirect(url_for("members.sign_in_page"))


@bp.route("/details", methods=["GET", "POST"])
@member_required
def details():
    member = current_member()
    form = DetailsForm(obj=member)
    if form.validate_on_submit():
        changed = members.update_details(
            db_session(), member, {name: getattr(form, name).data for name in members.DETAILS}
        )
        flash(
            gettext("Your details have been saved.") if changed else gettext("Nothing has changed."),
            "success",
        )
        return redirect(url_for("members.home"))
    return render_template("members/details.html", form=form, member=member), (422 if form.errors else 200)


@bp.route("/groups/<slug>/leave", methods=["GET", "POST"])
@member_required
def leave(slug: str):
    member = current_member()
    group, membership = access.member_group(db_session(), member, slug)
    form = LeaveForm()
    if form.validate_on_submit():
        members.leave(db_session(), membership, member_actor(member), form.reason.data or "")
        still = members.current(db_session(), member)
        if not still:
            sign_out()
        return render_template("members/left.html", group=group, still_member=bool(still))
    return render_template("members/leave.html", group=group, form=form), (422 if form.errors else 200)


@bp.route("/groups/<slug>/renewal", methods=["GET", "POST"])
@member_required
def renewal(slug: str):
    """Whether the member wants another term, asked as their term comes to an end."""
    member = current_member()
    group, membership = access.member_group(db_session(), member, slug)
    form = RenewalForm(data={"wish": membership.renewal_wish} if membership.renewal_wish else None)
    if form.validate_on_submit() and attempt(
        form, lambda: terms.answer(db_session(), membership, member, form.wish.data)
    ):
        flash(gettext("Thank you. We have told the Police Coordinator and the Chair."), "success")
        return redirect(url_for("members.home"))
    return render_template("members/renewal.html", group=group, membership=membership, form=form), (
        422 if form.errors else 200
    )


@bp.route("/meetings/<int:meeting_id>", methods=["GET", "POST"])
@member_required
def meeting(meeting_id: int):
    member = current_member()
    found, membership = access.member_meeting(db_session(), member, meeting_id)
    given = attendance.response(db_session(), found, membership)
    form = AnswerForm(
        data={"answer": given.answer.value, "note": given.note, "interest": given.interest}
        if given and given.answer
        else None
    )
    form.for_meeting(bool(found.place), bool(found.online_link))
    if form.validate_on_submit() and attempt(
        form,
        lambda: attendance.answer(
            db_session(), found, membership, member, form.answer.data, form.note.data, form.interest.data
        ),
    ):
        flash(gettext("Thank you. We have your answer."), "success")
        return redirect(url_for("members.meeting", meeting_id=found.id))
    return render_template(
        "members/meeting.html",
        meeting=found,
        group=db_session().get_one(Group, found.group_id),
        response=given,
        form=form,
        papers=papers.of_meeting(db_session(), found),
        answer_labels=ANSWERS,
        attendance_labels=ATTENDANCE,
        open_to_answers=not found.cancelled and found.starts_at > now(),
    ), (422 if form.errors else 200)


@bp.route("/meetings/<int:meeting_id>/meeting.ics")
@member_required
def meeting_calendar(meeting_id: int):
    member = current_member()
    found, _membership = access.member_meeting(db_session(), member, meeting_id)
    group = db_session().get_one(Group, found.group_id)
    return _calendar(meetings.calendar(group, [found], member.language), "meeting.ics")


@bp.route("/call-outs/<int:call_out_id>", methods=["GET", "POST"])
@member_required
def call_out(call_out_id: int):
    member = current_member()
    found, recipient = access.member_call_out(db_session(), member, call_out_id)
    form = CallOutAnswerForm(
        data={"answer": recipient.answer.value, "advice": recipient.advice} if recipient.answer else None
    )
    if form.validate_on_submit() and attempt(
        form,
        lambda: call_outs.answer(db_session(), found, recipient, member, form.answer.data, form.advice.data),
    ):
        flash(gettext("Thank you. The Police Coordinator can see your answer now."), "success")
        return redirect(url_for("members.call_out", call_out_id=found.id))
    return render_template(
        "members/call_out.html",
        call_out=found,
        recipient=recipient,
        group=db_session().get_one(Group, found.group_id),
        form=form,
        open=call_outs.is_open(found),
        answer_labels=dict(form.answer.choices),
        urgency_labels=URGENCY,
    ), (422 if form.errors else 200)


@bp.route("/groups/<slug>/advice")
@member_required
def advice_log(slug: str):
    group, _membership = access.member_group(db_session(), current_member(), slug)
    return render_template(
        "members/advice.html",
        group=group,
        entries=advice.of_group(db_session(), group),
        source_labels=ADVICE_SOURCES,
        status_labels=ADVICE_STATUSES,
        status_classes=STATUS_CLASSES,
    )


@bp.route("/papers/<int:paper_id>")
@member_required
def paper(paper_id: int):
    member = current_member()
    found = access.member_paper(db_session(), member, paper_id)
    try:
        copy = papers.issue_to_member(db_session(), found, member)
    except InputError as exc:
        return render_template("members/paper_unavailable.html", message=exc.message), 409
    response = current_app.response_class(copy.data, mimetype=copy.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=copy.filename)
    response.headers.set("Cache-Control", "no-store")
    return response


def _calendar(data: bytes, filename: str):
    response = current_app.response_class(data, mimetype="text/calendar")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response
