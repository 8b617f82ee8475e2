"""The staff pages of a group's papers and of who came to its meetings: papers added, withdrawn and
downloaded (each download logged), and attendance recorded from the members' answers."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from webapp import auth
from webapp.clock import now, uk_time
from webapp.db import db_session
from webapp.forms import attempt
from webapp.models import Meeting, Paper
from webapp.review import bp
from webapp.review.forms import ActionForm
from webapp.review.group_forms import PaperForm
from webapp.review.helpers import INVALID, of_group, served_group
from webapp.services import InputError, attendance, meetings, papers


@bp.route("/groups/<slug>/papers", methods=["GET", "POST"])
@login_required
def group_papers(slug: str):
    group = served_group(slug)
    session = db_session()
    form = PaperForm()
    chosen_meetings = meetings.recent_and_coming(session, group)
    form.meeting_id.choices = [("", "Not for a meeting")] + [
        (str(m.id), uk_time(m.starts_at)) for m in chosen_meetings
    ]
    if form.validate_on_submit():
        upload = form.file.data
        if attempt(
            form,
            lambda: papers.add(
                session,
                group,
                auth.staff_user(),
                papers.Upload(
                    title=form.title.data,
                    filename=upload.filename if upload else "",
                    data=upload.read() if upload else b"",
                    confidential=form.confidential.data == "yes",
                    kind=form.kind.data,
                    meeting_id=int(form.meeting_id.data) if form.meeting_id.data else None,
                ),
            ),
        ):
            flash("Paper added. The group's members can download it from their page.", "success")
            return redirect(url_for("review.group_papers", slug=slug))
    listed = papers.of_group(session, group, published_only=False)
    return render_template(
        "review/group_papers.html",
        group=group,
        form=form,
        papers=listed,
        downloads={paper.id: papers.downloads(session, paper) for paper in listed},
        meetings={m.id: m for m in chosen_meetings},
        action_form=ActionForm(),
    ), (INVALID if form.errors else 200)


@bp.route("/groups/<slug>/papers/<int:paper_id>")
@login_required
def group_paper(slug: str, paper_id: int):
    paper = of_group(served_group(slug), Paper, paper_id)
    try:
        copy = papers.issue_to_staff(db_session(), paper, auth.staff_user())
    except InputError as exc:
        flash(exc.message, "error")
        return redirect(url_for("review.group_papers", slug=slug))
    response = current_app.response_class(copy.data, mimetype=copy.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=copy.filename)
    response.headers.set("Cache-Control", "no-store")
    return response


@bp.route("/groups/<slug>/papers/<int:paper_id>/withdraw", methods=["POST"])
@login_required
def withdraw_paper(slug: str, paper_id: int):
    paper = of_group(served_group(slug), Paper, paper_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    papers.withdraw(db_session(), paper, auth.staff_user())
    flash("Paper withdrawn. Members no longer see it; its downloads are kept.", "success")
    return redirect(url_for("review.group_papers", slug=slug))


@bp.route("/groups/<slug>/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@login_required
def meeting_attendance(slug: str, meeting_id: int):
    """The members' answers to the invitation; once the meeting has started, who came."""
    group = served_group(slug)
    meeting = of_group(group, Meeting, meeting_id)
    form = ActionForm()
    error = None
    if form.validate_on_submit():
        marks = {
            int(key.removeprefix("attendance-")): value
            for key, value in request.form.items()
            if key.startswith("attendance-") and key.removeprefix("attendance-").isdigit()
        }
        try:
            recorded = attendance.record(db_session(), meeting, auth.staff_user(), marks)
        except InputError as exc:
            error = exc.message
        else:
            flash(
                f"Attendance recorded for {recorded} {'member' if recorded == 1 else 'members'}.", "success"
            )
            return redirect(url_for("review.group_members", slug=slug))
    return render_template(
        "review/meeting_attendance.html",
        group=group,
        meeting=meeting,
        rows=attendance.rows(db_session(), meeting),
        form=form,
        error=error,
        started=meeting.starts_at <= now(),
    ), (INVALID if error else 200)
