"""The member's side of an election: the page (candidates, the ballot, the result), nominating, answering
a nomination and voting. The rules, and the secrecy of the vote, are in services/elections.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext

from webapp.db import db_session
from webapp.forms import attempt
from webapp.members import bp
from webapp.members.forms import NominateForm, NominationAnswerForm, VoteForm
from webapp.members.session import current_member, member_required
from webapp.models import Group
from webapp.services import InputError, access, elections, members


@bp.route("/elections/<int:election_id>")
@member_required
def election(election_id: int):
    """An election of the member's group: nominate, answer a nomination, vote, or read the result."""
    found, membership = access.member_election(db_session(), current_member(), election_id)
    return _election_page(found, membership)


def _election_page(found, membership, failed=None):
    """The election's page, with `failed` (the form just refused) showing its errors."""
    session = db_session()
    elections.count(session, found)
    standing = elections.candidates(session, found)
    forms = {
        "nominate": NominateForm(prefix="nominate"),
        "answer": NominationAnswerForm(prefix="answer"),
        "vote": VoteForm(prefix="vote"),
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    forms["nominate"].nominee.choices = [(m.id, p.name) for m, p in members.of_group(session, found.group_id)]
    forms["vote"].candidate.choices = [(c.id, p.name) for c, p in standing]
    return render_template(
        "members/election.html",
        election=found,
        group=session.get_one(Group, found.group_id),
        stage=elections.stage(found),
        standing=standing,
        mine=elections.nomination_of(session, found, membership),
        voted=elections.has_voted(session, found, membership),
        form=failed[1] if failed else None,
        names={str(c.id): p.name for c, p in standing},
        **{f"{name}_form": form for name, form in forms.items()},
    ), (422 if failed else 200)


def _election_step(election_id: int, name: str, form, step) -> object:
    """Run one election step from its form; the page again with the refusal, or back to it with thanks."""
    member = current_member()
    found, membership = access.member_election(db_session(), member, election_id)
    if name == "nominate":
        form.nominee.choices = [(m.id, p.name) for m, p in members.of_group(db_session(), found.group_id)]
    if name == "vote":
        form.candidate.choices = [(c.id, p.name) for c, p in elections.candidates(db_session(), found)]
    thanks: list[str] = []
    if form.validate_on_submit() and attempt(form, lambda: thanks.append(step(found, membership, member))):
        flash(thanks[0], "success")
        return redirect(url_for("members.election", election_id=found.id))
    return _election_page(found, membership, (name, form))


@bp.route("/elections/<int:election_id>/nominate", methods=["POST"])
@member_required
def nominate(election_id: int):
    form = NominateForm(prefix="nominate")

    def step(found, membership, _member):
        elections.nominate(db_session(), found, membership, form.nominee.data, form.statement.data)
        return gettext("Thank you. Your nomination is recorded.")

    return _election_step(election_id, "nominate", form, step)


@bp.route("/elections/<int:election_id>/nomination", methods=["POST"])
@member_required
def answer_nomination(election_id: int):
    form = NominationAnswerForm(prefix="answer")

    def step(found, membership, member):
        mine = elections.nomination_of(db_session(), found, membership)
        if mine is None:
            raise InputError(gettext("You have not been nominated in this election"), "accept")
        elections.answer_nomination(
            db_session(), mine, member, form.accept.data == "yes", form.statement.data
        )
        return gettext("Thank you. Your answer is recorded.")

    return _election_step(election_id, "answer", form, step)


@bp.route("/elections/<int:election_id>/vote", methods=["POST"])
@member_required
def vote(election_id: int):
    form = VoteForm(prefix="vote")

    def step(found, membership, _member):
        elections.vote(db_session(), found, membership, form.candidate.data)
        return gettext("Thank you. Your vote has been counted. Nobody can see who you voted for.")

    return _election_step(election_id, "vote", form, step)
