"""Elections of a group's Chair by its members, on both databases: nominations (self, and another member
who must accept), a secret ballot counted once, the result for members, the winner taking the office
(and the staff Chair role) as the previous Chair steps down; secrecy tried every way a record could leak;
fifty members voting at once; a member who left cannot vote."""

from __future__ import annotations

import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from tests.given import given_member, given_members
from tests.helpers import csrf_token, text_of
from tests.review_journey import act, mails_to, staff_client
from tests.webapp.test_members import signed_in_member
from webapp import clock
from webapp.db import session_scope
from webapp.models import (
    BallotBox,
    Candidate,
    Election,
    ElectionRoll,
    Event,
    MemberRole,
    Membership,
    OutboxMessage,
    StaffUser,
)
from webapp.services import elections, members
from webapp.services.actors import SYSTEM
from webapp.workflow import Role

ELECTIONS = "/staff/groups/bristol/elections"


def _day(days: int) -> list[str]:
    moment = (clock.now() + timedelta(days=days)).astimezone(clock.UK)
    return [str(moment.day), str(moment.month), str(moment.year)]


def _open(coordinator, office: str = "chair") -> int:
    act(
        coordinator,
        ELECTIONS,
        data={
            "office": office,
            "nominations_close": _day(3),
            "voting_open": _day(4),
            "voting_close": _day(6),
        },
    )
    with session_scope(coordinator.application) as session:
        return session.scalar(select(Election.id).order_by(Election.id.desc()))


def _move_to(app, election_id: int, stage: str) -> None:
    """The timetable's day has come: nominations closed and voting open, or voting closed."""
    with session_scope(app) as session:
        election = session.get(Election, election_id)
        if stage == "voting":
            election.nominations_close_at = clock.now() - timedelta(hours=2)
            election.voting_open_at = clock.now() - timedelta(hours=1)
        else:
            election.voting_close_at = clock.now() - timedelta(minutes=1)


def _post(client, url: str, **data):
    page = client.get(url.rsplit("/", 1)[0] if url.endswith(("/nominate", "/nomination", "/vote")) else url)
    return client.post(url, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def _candidate_ids(app, election_id: int) -> dict[str, int]:
    with session_scope(app) as session:
        return {
            member.name: candidate.id
            for candidate, member in elections.candidates(session, session.get(Election, election_id))
        }


def test_members_nominate_vote_in_secret_and_the_winner_becomes_chair(app):
    amina = given_member(app)
    bob = given_member(app, name="Bob Jones", email="bob@example.org")
    cara = given_member(app, name="Cara Lee", email="cara@example.org")
    given_member(app, name="Dan Roe", email="dan@example.org")
    with session_scope(app) as session:  # Cara is the Chair now, until the election
        session.get(Membership, cara).role = MemberRole.CHAIR
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    election_id = _open(coordinator)
    opened = mails_to(app, "bob@example.org")[-1]
    assert (
        opened.subject == "Election of the Chair of the Bristol IAG"
        and "one vote, in secret" in opened.body_text
    )
    page = f"/members/elections/{election_id}"

    a, b, c = (
        signed_in_member(app),
        signed_in_member(app, "bob@example.org"),
        signed_in_member(app, "cara@example.org"),
    )
    missing = _post(a, f"{page}/nominate", **{"nominate-nominee": str(amina), "nominate-statement": ""})
    assert missing.status_code == 422 and "Write a short statement for the members" in text_of(missing)
    _post(a, f"{page}/nominate", **{"nominate-nominee": str(amina), "nominate-statement": "I will listen."})
    _post(a, f"{page}/nominate", **{"nominate-nominee": str(bob), "nominate-statement": ""})
    asked = mails_to(app, "bob@example.org")[-1]
    assert (
        asked.subject == "You have been nominated for Chair of the Bristol IAG"
        and "Amina Yusuf has nominated you" in asked.body_text
    )
    standing = text_of(c.get(page)).split("The candidates")[1].split("Nominate a candidate")[0]
    assert "Amina Yusuf" in standing and "Bob Jones" not in standing  # not standing until he accepts
    again = _post(c, f"{page}/nominate", **{"nominate-nominee": str(bob), "nominate-statement": ""})
    assert again.status_code == 422 and "That member has already been nominated" in text_of(again)
    _post(b, f"{page}/nomination", **{"answer-accept": "yes", "answer-statement": "Ten years of youth work."})
    _post(c, f"{page}/nominate", **{"nominate-nominee": str(cara), "nominate-statement": "Another term."})
    standing_ids = _candidate_ids(app, election_id)
    early = _post(c, f"{page}/vote", **{"vote-candidate": str(standing_ids["Amina Yusuf"])})
    assert early.status_code == 422 and "Voting is not open" in text_of(early)

    _move_to(app, election_id, "voting")
    ids = _candidate_ids(app, election_id)
    assert set(ids) == {"Amina Yusuf", "Bob Jones", "Cara Lee"}
    ballot = text_of(b.get(page))
    assert (
        "I will listen." in ballot
        and "Ten years of youth work." in ballot
        and "Your vote is secret" in ballot
    )
    for client, choice in ((a, "Bob Jones"), (b, "Bob Jones"), (c, "Cara Lee")):
        assert _post(client, f"{page}/vote", **{"vote-candidate": str(ids[choice])}).status_code == 302
    twice = _post(a, f"{page}/vote", **{"vote-candidate": str(ids["Amina Yusuf"])})
    assert twice.status_code in {200, 422} and "You have voted" in text_of(a.get(page))
    staff_page = text_of(coordinator.get(f"{ELECTIONS}/{election_id}"))
    assert "3 members (who voted for whom is never shown)" in staff_page

    _move_to(app, election_id, "closed")
    result = text_of(a.get(page))
    assert "3 of 4 members voted" in result and re.search(r"Bob Jones 2 .*Cara Lee 1", result)
    with session_scope(app) as session:
        roles = {m.id: m.role for m in session.scalars(select(Membership))}
        assert roles[bob] == MemberRole.CHAIR and roles[cara] == MemberRole.MEMBER  # stepped down
        election = session.get(Election, election_id)
        assert (
            election.result["method"] == "first past the post"
            and election.term_ends_at > election.voting_close_at
        )
        chair = session.scalar(select(StaffUser).where(StaffUser.email == "bob@example.org"))
        assert [(r.role, r.group_id) for r in chair.roles] == [
            (Role.CHAIR, session.get(Membership, bob).group_id)
        ]
        actions = [e.action for e in session.scalars(select(Event).where(Event.subject_type == "election"))]
        assert (
            actions.count("election counted") == 1 and "office taken" in actions and "stepped down" in actions
        )
    invite = mails_to(app, "bob@example.org")[-1]
    assert invite.subject == "Set up your IAG Membership account"  # the new Chair joins the staff side


def test_no_record_links_a_voter_to_their_vote_nor_says_when_they_voted(app, caplog):
    caplog.set_level(logging.DEBUG)
    voters = given_members(app, 20)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    election_id = _open(coordinator)
    with app.test_request_context(), session_scope(app) as session:
        election = session.get(Election, election_id)
        for membership_id, statement in ((voters[0], "A"), (voters[1], "B")):
            membership = session.get(Membership, membership_id)
            elections.nominate(session, election, membership, membership_id, statement)
    _move_to(app, election_id, "voting")
    first, second = sorted(_candidate_ids(app, election_id).values())
    # The first ten vote for the first candidate, the last ten for the second: an order that shows if kept.
    choices = {m: (first if n < 10 else second) for n, m in enumerate(voters)}
    with session_scope(app) as session:
        events_before = session.scalar(select(func.count()).select_from(Event))
        mail_before = session.scalar(select(func.count()).select_from(OutboxMessage))
    caplog.clear()
    with app.test_request_context(), session_scope(app) as session:
        election = session.get(Election, election_id)
        for membership_id, candidate_id in choices.items():
            elections.vote(session, election, session.get(Membership, membership_id), candidate_id)
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Event)) == events_before  # no event of a vote
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == mail_before  # no email
        box, roll = session.get(BallotBox, election_id), session.get(ElectionRoll, election_id)
        assert sorted(box.ballots) == sorted(choices.values())
        assert box.ballots != list(choices.values())  # not in the order voted (1 chance in 184,756)
        assert roll.voted == sorted(voters)  # who voted: sorted, so no order either
        # Neither table can say who or when: only the election, and the list.
        for table in ("ballot_boxes", "election_rolls"):
            columns = {c["name"]: str(c["type"]) for c in inspect(session.bind).get_columns(table)}
            assert set(columns) in ({"election_id", "ballots"}, {"election_id", "voted"}), columns
        # No row anywhere holds a voter and the candidate they chose together (candidates' own rows apart).
        voter_members = {session.get(Membership, m).member_id for m in voters}
        for table in inspect(session.bind).get_table_names():
            if table in {"alembic_version", "election_candidates", "election_rolls"} or table.startswith(
                "search_"
            ):
                continue
            for row in session.execute(text(f"SELECT * FROM {table}")).mappings():  # noqa: S608
                dumped = json.dumps({k: str(v) for k, v in row.items()})
                for membership_id, candidate_id in choices.items():
                    assert not (
                        re.search(rf"\b{membership_id}\b", dumped)
                        and re.search(rf'"candidate[^"]*": "{candidate_id}"', dumped)
                    ), (table, dumped)
                assert not any(f"member:{m}" in dumped and "vote" in dumped for m in voter_members), (
                    table,
                    dumped,
                )
    # Logs while voting: nothing of who or what.
    for record in caplog.records:
        message = record.getMessage()
        assert "candidate" not in message.lower() and "Member 1" not in message, message
    # The staff page and the members' page: how many voted, never who for whom.
    page = coordinator.get(f"{ELECTIONS}/{election_id}").get_data(as_text=True)
    assert "20 members" in page and "Member 3" not in page
    _move_to(app, election_id, "closed")
    result = coordinator.get(f"{ELECTIONS}/{election_id}").get_data(as_text=True)
    assert "10 votes" in result and "Tied: a tie is settled by lot" in result
    with session_scope(app) as session:
        counted = session.scalar(select(Event).where(Event.action == "election counted"))
        assert set(counted.detail) <= {"method", "votes", "turnout", "eligible", "outcome", "tie"}
        assert counted.detail["turnout"] == 20 and counted.detail["tie"]["settled"].startswith(
            "a tie is settled by lot"
        )


def test_a_member_who_left_cannot_vote(app):
    stays = given_member(app)
    leaves = given_member(app, name="Bob Jones", email="bob@example.org")
    given_member(
        app, "north-somerset", "Bob Jones", "bob@example.org"
    )  # still signed in through another group
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    election_id = _open(coordinator)
    with app.test_request_context(), session_scope(app) as session:
        elections.nominate(
            session, session.get(Election, election_id), session.get(Membership, stays), stays, "Hello"
        )
    _move_to(app, election_id, "voting")
    bob = signed_in_member(app, "bob@example.org")
    page = bob.get(f"/members/elections/{election_id}")
    with app.test_request_context(), session_scope(app) as session:
        members.leave(session, session.get(Membership, leaves), SYSTEM)
    refused = bob.post(
        f"/members/elections/{election_id}/vote",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "vote-candidate": "1"},
    )
    assert refused.status_code == 404
    with app.test_request_context(), session_scope(app) as session:
        election = session.get(Election, election_id)
        with pytest.raises(Exception, match="Only current members of the group can vote"):
            elections.vote(
                session, election, session.get(Membership, leaves), session.scalar(select(Candidate.id))
            )


@pytest.mark.committing
def test_fifty_members_voting_at_once_count_fifty_votes(app):
    voters = given_members(app, 50)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    election_id = _open(coordinator)
    with app.test_request_context(), session_scope(app) as session:
        election = session.get(Election, election_id)
        elections.nominate(session, election, session.get(Membership, voters[0]), voters[0], "Hello")
        elections.nominate(session, election, session.get(Membership, voters[1]), voters[1], "Hi")
    _move_to(app, election_id, "voting")
    first, second = sorted(_candidate_ids(app, election_id).values())

    def vote(n_and_membership):
        n, membership_id = n_and_membership
        with app.test_request_context(), session_scope(app) as session:
            elections.vote(
                session,
                session.get(Election, election_id),
                session.get(Membership, membership_id),
                first if n % 3 else second,
            )

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(vote, enumerate(voters)))
        again = list(pool.map(lambda m: _try(vote, m), enumerate(voters[:10])))  # second votes: refused
    assert all("already voted" in str(problem) for problem in again)
    with session_scope(app) as session:
        box, roll = session.get(BallotBox, election_id), session.get(ElectionRoll, election_id)
        assert len(box.ballots) == 50 and roll.voted == sorted(voters)
        assert box.ballots.count(second) == len([n for n in range(50) if n % 3 == 0])


def _try(step, value):
    try:
        step(value)
    except Exception as exc:  # the refusal, for the assertion
        return exc
    return None
