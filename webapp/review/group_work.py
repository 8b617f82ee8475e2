"""The staff pages of a group's work between meetings: critical-incident call-outs (ask, see the answers as
they come, extend, close with a summary), the advice log ("you said, we did") and messages to members
(with their replies, threaded by the mail poller), and each member's timeline."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from webapp import auth
from webapp.db import db_session
from webapp.forms import attempt
from webapp.models import Advice, CallOut, Group, Member, MemberMessage, Membership
from webapp.review import bp
from webapp.review.group_forms import (
    AdviceForm,
    AdviceResponseForm,
    AnswerByForm,
    CallOutForm,
    CloseCallOutForm,
    MemberMessageForm,
)
from webapp.review.helpers import INVALID, of_group, served_group
from webapp.services import advice, call_outs, interests, member_messages, members, papers
from webapp.services.texts import enabled as texts_enabled


@bp.route("/groups/<slug>/call-outs", methods=["GET", "POST"])
@login_required
def group_call_outs(slug: str):
    """Open a call-out: to everyone, or to the members a search by skill, specialism or availability finds."""
    group = served_group(slug)
    session = db_session()
    words, availability = request.args.get("words", ""), request.args.get("availability", "")
    found = call_outs.candidates(session, group, words, availability)
    form = CallOutForm()
    form.members.choices = [(membership.id, _described(member)) for membership, member in found]
    if not form.is_submitted():
        form.members.data = [membership.id for membership, _member in found]
    if form.validate_on_submit():
        ask = call_outs.Ask(form.asked.data, form.urgency.data, form.moment(), list(form.members.data or []))
        opened: list[CallOut] = []
        if attempt(
            form, lambda: opened.append(call_outs.open_call_out(session, group, auth.staff_user(), ask))
        ):
            flash(f"Call-out sent to {len(ask.membership_ids)} members.", "success")
            return redirect(url_for("review.call_out", slug=slug, call_out_id=opened[0].id))
    return render_template(
        "review/call_outs.html",
        group=group,
        form=form,
        words=words,
        availability=availability,
        found=found,
        earlier=[(c, call_outs.timing(session, c)) for c in call_outs.of_group(session, group)],
        texts=texts_enabled(current_app.config),
    ), (INVALID if form.errors else 200)


def _described(member: Member) -> str:
    known = "; ".join(filter(None, [member.skills, member.specialisms]))
    when = f"answers {member.availability}" if member.availability else "availability not given"
    return f"{member.name} ({when}{'; ' + known if known else ''})"


@bp.route("/groups/<slug>/call-outs/<int:call_out_id>")
@login_required
def call_out(slug: str, call_out_id: int):
    group = served_group(slug)
    return _call_out_page(group, of_group(group, CallOut, call_out_id), AnswerByForm())


def _call_out_page(group: Group, found: CallOut, extend_form: AnswerByForm):
    session = db_session()
    return render_template(
        "review/call_out.html",
        group=group,
        call_out=found,
        answers=call_outs.answers(session, found),
        timing=call_outs.timing(session, found),
        open=call_outs.is_open(found),
        extend_form=extend_form,
        close_form=CloseCallOutForm(),
    ), (INVALID if extend_form.errors else 200)


@bp.route("/groups/<slug>/call-outs/<int:call_out_id>/extend", methods=["POST"])
@login_required
def extend_call_out(slug: str, call_out_id: int):
    group = served_group(slug)
    found = of_group(group, CallOut, call_out_id)
    form = AnswerByForm()
    if form.validate_on_submit() and attempt(
        form, lambda: call_outs.extend(db_session(), found, auth.staff_user(), form.moment())
    ):
        flash("The time to answer by has been extended.", "success")
        return redirect(url_for("review.call_out", slug=slug, call_out_id=found.id))
    return _call_out_page(group, found, form)


@bp.route("/groups/<slug>/call-outs/<int:call_out_id>/close", methods=["POST"])
@login_required
def close_call_out(slug: str, call_out_id: int):
    group = served_group(slug)
    found = of_group(group, CallOut, call_out_id)
    form = CloseCallOutForm()
    if form.validate_on_submit() and attempt(
        form, lambda: call_outs.close(db_session(), found, auth.staff_user(), form.summary.data)
    ):
        flash(
            "Call-out closed." + (" Its summary is in the advice log." if form.summary.data else ""),
            "success",
        )
        return redirect(url_for("review.call_out", slug=slug, call_out_id=found.id))
    flash(next(iter(form.summary.errors), "The call-out could not be closed."), "error")
    return redirect(url_for("review.call_out", slug=slug, call_out_id=found.id))


@bp.route("/groups/<slug>/advice", methods=["GET", "POST"])
@login_required
def group_advice(slug: str):
    group = served_group(slug)
    form = AdviceForm()
    if form.validate_on_submit() and attempt(
        form,
        lambda: advice.record(db_session(), group, auth.staff_user(), form.source.data, form.advice.data),
    ):
        flash("Advice recorded. Record the force's response when there is one.", "success")
        return redirect(url_for("review.group_advice", slug=slug))
    return render_template(
        "review/advice.html", group=group, form=form, entries=advice.of_group(db_session(), group)
    ), (INVALID if form.errors else 200)


@bp.route("/groups/<slug>/advice/<int:advice_id>", methods=["GET", "POST"])
@login_required
def advice_response(slug: str, advice_id: int):
    group = served_group(slug)
    entry = of_group(group, Advice, advice_id)
    form = AdviceResponseForm(obj=entry if request.method == "GET" else None)
    if form.validate_on_submit() and attempt(
        form,
        lambda: advice.respond(db_session(), entry, auth.staff_user(), form.status.data, form.response.data),
    ):
        flash("Response saved. The group's members can read it.", "success")
        return redirect(url_for("review.group_advice", slug=slug))
    return render_template("review/advice_response.html", group=group, entry=entry, form=form), (
        INVALID if form.errors else 200
    )


@bp.route("/groups/<slug>/messages", methods=["GET", "POST"])
@login_required
def group_messages(slug: str):
    group = served_group(slug)
    session = db_session()
    current = members.of_group(session, group.id)
    form = MemberMessageForm()
    form.members.choices = [(membership.id, member.name) for membership, member in current]
    form.paper_id.choices = [("", "No paper")] + [
        (str(p.id), p.title) for p in papers.of_group(session, group)
    ]
    if not form.is_submitted():
        form.members.data = [membership.id for membership, _member in current]
    if form.validate_on_submit():
        draft = member_messages.Draft(
            form.subject.data,
            form.body.data,
            list(form.members.data or []),
            int(form.paper_id.data) if form.paper_id.data else None,
        )
        if attempt(form, lambda: member_messages.send(session, group, auth.staff_user(), draft)):
            flash(
                f"Message sent to {len(draft.membership_ids)} members. Replies will appear here.", "success"
            )
            return redirect(url_for("review.group_messages", slug=slug))
    return render_template(
        "review/messages.html", group=group, form=form, messages=member_messages.of_group(session, group)
    ), (INVALID if form.errors else 200)


@bp.route("/groups/<slug>/messages/<int:message_id>")
@login_required
def group_message(slug: str, message_id: int):
    group = served_group(slug)
    message = of_group(group, MemberMessage, message_id)
    session = db_session()
    return render_template(
        "review/message.html",
        group=group,
        message=message,
        recipients=member_messages.recipients(session, message),
        replies=member_messages.replies(session, message),
    )


@bp.route("/groups/<slug>/members/<int:membership_id>/timeline")
@login_required
def member_timeline(slug: str, membership_id: int):
    group = served_group(slug)
    membership = of_group(group, Membership, membership_id)
    member = db_session().get(Member, membership.member_id) if membership.member_id else None
    return render_template(
        "review/member_timeline.html",
        group=group,
        membership=membership,
        member=member,
        moments=member_messages.timeline(db_session(), member) if member else [],
        interests=interests.register(db_session(), member) if member else [],
    )
