"""The applicant's journey: start, one topic per page, save and return, check answers, submit, and the
optional equal-opportunities form."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext

from webapp import languages
from webapp.answers import given_confirmations
from webapp.db import db_session
from webapp.languages import question_text
from webapp.models import Draft
from webapp.public import bp
from webapp.public.forms import ConfirmForm, MonitoringForm, SaveForLaterForm, StartForm, form_class
from webapp.questions import CODE_OF_ETHICS, MONITORING_QUESTIONS, Page
from webapp.services import applications, drafts, equality, groups


def _pages() -> tuple[Page, ...]:
    return current_app.extensions["deployment"].application_pages


def _page(slug: str) -> Page:
    for page in _pages():
        if page.slug == slug:
            return page
    abort(404)


def _draft() -> Draft | None:
    draft_id = session.get("draft_id")
    return db_session().get(Draft, draft_id) if draft_id else None


def _missing(draft: Draft) -> list[tuple[Page, object]]:
    return [
        (page, q) for page in _pages() for q in page.questions if q.required and not draft.answers.get(q.key)
    ]


def _next_url(page: Page) -> str:
    if request.args.get("return") == "check":
        return url_for("public.check_answers")
    slugs = [p.slug for p in _pages()]
    index = slugs.index(page.slug)
    if index + 1 < len(slugs):
        return url_for("public.question", slug=slugs[index + 1])
    return url_for("public.check_answers")


@bp.route("/apply/<slug>", methods=["GET", "POST"])
def start(slug: str):
    group = groups.by_slug(db_session(), slug)
    if group is None:
        abort(404)
    if not group.open_to_applicants:
        others = groups.open_to_applicants(db_session())
        return render_template("public/apply/closed.html", group=group, others=others)
    form = StartForm(group=group)
    if form.validate_on_submit():
        if group.screening_may_apply and form.screening.data == "no":
            return render_template("public/apply/no_screening_consent.html", group=group)
        draft = drafts.start(
            db_session(),
            group,
            bool(form.requirements.data),
            form.screening.data == "yes",
            form.chosen_language(),
        )
        session["draft_id"] = draft.id
        return redirect(url_for("public.question", slug=_pages()[0].slug))
    return render_template("public/apply/start.html", group=group, form=form)


@bp.route("/apply/page/<slug>", methods=["GET", "POST"])
def question(slug: str):
    page = _page(slug)
    draft = _draft()
    if draft is None:
        return session_ended(page)
    if draft.application_id is not None:
        return redirect(url_for("public.confirmation"))
    switching = request.form.get("switch_language")
    if request.method == "POST" and switching in languages.offered() and ConfirmForm().validate_on_submit():
        # The language switch on a form page: the same page in the other language, with what was typed
        # (kept with the draft for that one page view, not saved as answers: those are checked when the
        # page is sent).
        drafts.carry(draft, slug, {q.key: request.form.get(q.key, "") for q in page.questions})
        return redirect(url_for("public.question", slug=slug, lang=switching))
    kept = drafts.carried(draft, slug) if request.method == "GET" else None
    form = form_class(page)(data={**draft.answers, **(kept or {})} if request.method == "GET" else None)
    form.saving_for_later = request.form.get("action") == "later"
    if form.validate_on_submit():
        drafts.save(draft, form.answers())
        if form.saving_for_later:
            return redirect(url_for("public.save_for_later"))
        return redirect(_next_url(page))
    return render_template(
        "public/apply/question.html", page=page, form=form, draft=draft, pages=_pages(), back=_back_url(page)
    )


def _back_url(page: Page) -> str:
    if request.args.get("return") == "check":
        return url_for("public.check_answers")
    slugs = [p.slug for p in _pages()]
    index = slugs.index(page.slug)
    if index == 0:
        return url_for("public.groups")
    return url_for("public.question", slug=slugs[index - 1])


def session_ended(page: Page):
    """No draft in this browser session: keep what the person typed on screen so nothing is lost."""
    typed = (
        [(q, request.form.get(q.key, "").strip()) for q in page.questions] if request.method == "POST" else []
    )
    return render_template("public/apply/session_ended.html", typed=[(q, v) for q, v in typed if v]), 400


def keep_answers_after_csrf_failure():
    """A page posted with a stale or missing security token: show it again with what was typed."""
    page = _page(request.view_args["slug"])
    if _draft() is None:
        return session_ended(page)
    form = form_class(page)(formdata=request.form, meta={"csrf": True})
    return render_template(
        "public/apply/question.html",
        page=page,
        form=form,
        draft=_draft(),
        pages=_pages(),
        back=_back_url(page),
        error=gettext(
            "Your answers on this page have not been saved yet because the page was open "
            "too long. Check them and select Save and continue again."
        ),
    ), 400


@bp.route("/apply/save-for-later", methods=["GET", "POST"])
def save_for_later():
    draft = _draft()
    if draft is None:
        return redirect(url_for("public.groups"))
    form = SaveForLaterForm(
        data={"email": draft.answers.get("email", "")} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        drafts.send_resume_link(db_session(), draft, form.email.data)
        session.pop("draft_id", None)
        return render_template("public/apply/saved.html", email=form.email.data, days=drafts.RESUME_DAYS)
    return render_template("public/apply/save_for_later.html", form=form, draft=draft)


@bp.route("/apply/resume/<token>")
def resume(token: str):
    draft = drafts.for_resume_token(db_session(), token)
    if draft is None:
        return render_template("public/apply/link_expired.html", days=drafts.RESUME_DAYS), 404
    if draft.application_id is not None:
        flash(gettext("You have already sent this application."), "info")
        return redirect(url_for("public.groups"))
    session["draft_id"] = draft.id
    missing = _missing(draft)
    if missing:
        return redirect(url_for("public.question", slug=missing[0][0].slug))
    return redirect(url_for("public.check_answers"))


@bp.route("/apply/check-answers")
def check_answers():
    draft = _draft()
    if draft is None:
        return session_ended(_pages()[0])
    if draft.application_id is not None:
        return redirect(url_for("public.confirmation"))
    missing = [
        {
            "text": question_text(q, "error"),
            "href": url_for("public.question", slug=page.slug, **{"return": "check"}) + f"#{q.key}",
        }
        for page, q in _missing(draft)
    ]
    return render_template(
        "public/apply/check_answers.html",
        draft=draft,
        pages=_pages(),
        missing=missing,
        confirmed=given_confirmations(drafts.confirmed(draft)),
        form=ConfirmForm(),
        code_of_ethics=CODE_OF_ETHICS,
    )


@bp.route("/apply/submit", methods=["POST"])
def submit():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    draft_id = session.get("draft_id")
    draft = drafts.lock(db_session(), draft_id) if draft_id else None
    if draft is None:
        return session_ended(_pages()[0])
    if draft.application_id is None and _missing(draft):
        return redirect(url_for("public.check_answers"))
    try:
        application = drafts.submit(db_session(), draft)
    except applications.ApplicationError as exc:
        return render_template("public/apply/refused.html", reason=str(exc)), 409
    session["submitted_id"] = application.id
    session["monitoring_for"] = application.id
    return redirect(url_for("public.confirmation"))


@bp.route("/apply/confirmation")
def confirmation():
    draft = _draft()
    application_id = session.get("submitted_id") or (draft.application_id if draft else None)
    if application_id is None:
        return redirect(url_for("public.groups"))
    application = applications.get(db_session(), application_id)
    return render_template(
        "public/apply/confirmation.html",
        application=application,
        monitoring_done=equality.answered(db_session(), application.id),
    )


@bp.route("/apply/equal-opportunities", methods=["GET", "POST"])
def monitoring():
    application_id = session.get("monitoring_for")
    if application_id is None:
        return render_template("public/apply/monitoring_no_application.html"), 404
    if equality.answered(db_session(), application_id):
        return render_template("public/apply/monitoring_done.html", already=True)
    form = MonitoringForm()
    if form.validate_on_submit():
        equality.record(
            db_session(), application_id, {q.key: getattr(form, q.key).data for q in MONITORING_QUESTIONS}
        )
        return render_template("public/apply/monitoring_done.html", already=False)
    return render_template("public/apply/monitoring.html", form=form, questions=MONITORING_QUESTIONS)
