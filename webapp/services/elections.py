"""Elections of a group's Chair and Vice Chair by its members: the rules a force checks against its own
terms of reference (README "Running a group").

- Staff open an election for one office with a timetable: nominations open and close, then voting opens
  and closes. Only one election per group and office runs at a time.
- During nominations any current member nominates themselves (with a short statement) or another current
  member, who must accept (with their statement) before nominations close, or is not a candidate.
- One accepted candidate when nominations close: elected uncontested, no vote. None: no result.
- Voting: each member current when they vote votes once, for one candidate, in secret: who voted (the
  roll) and what was voted (the ballot box) are kept apart in rows that cannot be joined (no voter in the
  box, no time or order in either; the box is shuffled at every vote) and are written in the one
  transaction that counts the vote, once. No event, log line or page says who voted for whom or when.
- When voting closes the votes are counted by first past the post; a tie is settled by the force's rule
  (IAG_ELECTION_TIE_RULE: "lot", drawn at random by the service), and how it was settled is recorded with
  the count, which members then see. The winner takes the office (services/offices.py)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now, uk_time
from webapp.languages import group_text
from webapp.models import (
    BallotBox,
    Candidate,
    Election,
    ElectionRoll,
    Group,
    Member,
    Membership,
    Office,
    StaffUser,
)
from webapp.services import InputError, events, members, notify, offices
from webapp.services.actors import SYSTEM, member_actor
from webapp.services.actors import staff as staff_actor

TIE_RULES = {"lot": "a tie is settled by lot, drawn at random by the service when the votes are counted"}
MAX_STATEMENT = 1500
_chance = random.SystemRandom()


@dataclass(frozen=True)
class Timetable:
    nominations_open_at: datetime
    nominations_close_at: datetime
    voting_open_at: datetime
    voting_close_at: datetime


def stage(election: Election, at: datetime | None = None) -> str:
    """ "before", "nominations", "between", "voting", "closed" or "cancelled"."""
    moment = at or now()
    if election.cancelled_at is not None:
        return "cancelled"
    if moment < election.nominations_open_at:
        return "before"
    if moment < election.nominations_close_at:
        return "nominations"
    if moment < election.voting_open_at:
        return "between"
    if moment < election.voting_close_at:
        return "voting"
    return "closed"


def _subject(election: Election) -> events.Subject:
    return events.Subject("election", election.id)


def open_election(session: Session, group: Group, user: StaffUser, office: str, when: Timetable) -> Election:
    try:
        chosen = Office(office)
    except ValueError:
        raise InputError("Choose Chair or Vice Chair", "office") from None
    if not (
        when.nominations_open_at < when.nominations_close_at <= when.voting_open_at < when.voting_close_at
    ):
        raise InputError(
            "Each date must come after the one before it, from nominations opening to voting closing",
            "timetable",
        )
    if when.voting_close_at <= now():
        raise InputError("Voting must close in the future", "timetable")
    running = session.scalar(
        select(Election.id).where(
            Election.group_id == group.id,
            Election.office == chosen,
            Election.counted_at.is_(None),
            Election.cancelled_at.is_(None),
        )
    )
    if running is not None:
        raise InputError(f"An election for the {chosen} of this group is already running", "office")
    rule = current_app.config["ELECTION_TIE_RULE"]
    election = Election(
        group_id=group.id,
        office=chosen,
        nominations_open_at=when.nominations_open_at,
        nominations_close_at=when.nominations_close_at,
        voting_open_at=when.voting_open_at,
        voting_close_at=when.voting_close_at,
        tie_rule=rule,
        opened_by_id=user.id,
        created_at=now(),
    )
    session.add(election)
    session.flush()
    session.add_all(
        [ElectionRoll(election_id=election.id, voted=[]), BallotBox(election_id=election.id, ballots=[])]
    )
    events.record(
        session,
        staff_actor(user),
        "election opened",
        _subject(election),
        detail={
            "group": group.slug,
            "office": str(chosen),
            "voting_close_at": when.voting_close_at.isoformat(),
        },
    )
    for _membership, member in members.of_group(session, group.id):
        _tell(session, election, group, member, "election_opened")
    return election


def _tell(session: Session, election: Election, group: Group, member: Member, template: str, **extra) -> None:
    with force_locale(member.language):
        office = gettext("Chair") if election.office == Office.CHAIR else gettext("Vice Chair")
        subjects = {
            "election_opened": gettext(
                "Election of the %(office)s of the %(group)s", office=office, group=group_text(group, "name")
            ),
            "election_nominated": gettext(
                "You have been nominated for %(office)s of the %(group)s",
                office=office,
                group=group_text(group, "name"),
            ),
        }
        subject = subjects[template]
    notify.email(
        session,
        template,
        to=member.email or "",
        subject=subject,
        language=member.language,
        purpose="election",
        member=member,
        group=group,
        election=election,
        office=office,
        nominations_close=uk_time(election.nominations_close_at, language=member.language),
        voting_open=uk_time(election.voting_open_at, language=member.language),
        voting_close=uk_time(election.voting_close_at, language=member.language),
        **extra,
    )


def candidates(
    session: Session, election: Election, accepted_only: bool = True
) -> list[tuple[Candidate, Member]]:
    query = (
        select(Candidate, Member)
        .join(Membership, Membership.id == Candidate.membership_id)
        .join(Member, Member.id == Membership.member_id)
        .where(Candidate.election_id == election.id, Candidate.declined_at.is_(None))
        .order_by(Member.name, Candidate.id)
    )
    if accepted_only:
        query = query.where(Candidate.accepted_at.is_not(None))
    return [(candidate, member) for candidate, member in session.execute(query)]


def nomination_of(session: Session, election: Election, membership: Membership) -> Candidate | None:
    """The member's own nomination in this election (accepted, waiting or declined), if any."""
    return session.scalar(
        select(Candidate).where(
            Candidate.election_id == election.id, Candidate.membership_id == membership.id
        )
    )


def _statement(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InputError(gettext("Write a short statement for the members"), "statement")
    if len(text) > MAX_STATEMENT:
        raise InputError(
            gettext("The statement must be %(most)s characters or fewer", most=f"{MAX_STATEMENT:,}"),
            "statement",
        )
    return text


def nominate(
    session: Session, election: Election, by: Membership, nominee_id: int, statement: str = ""
) -> Candidate:
    """`by` nominates the member of `nominee_id` (themselves: a candidate at once, with their statement)."""
    if stage(election) != "nominations":
        raise InputError(gettext("Nominations are not open"), "nominee")
    nominee = session.get(Membership, nominee_id)
    if nominee is None or nominee.group_id != election.group_id or nominee.left_at is not None:
        raise InputError(gettext("Choose a current member of the group"), "nominee")
    if session.scalar(
        select(Candidate.id).where(
            Candidate.election_id == election.id, Candidate.membership_id == nominee.id
        )
    ):
        raise InputError(gettext("That member has already been nominated"), "nominee")
    self_nomination = nominee.id == by.id
    candidate = Candidate(
        election_id=election.id,
        membership_id=nominee.id,
        nominated_by_id=by.id,
        statement=_statement(statement) if self_nomination else "",
        nominated_at=now(),
        accepted_at=now() if self_nomination else None,
    )
    session.add(candidate)
    session.flush()
    person = session.get_one(Member, by.member_id)
    events.record(
        session,
        member_actor(person),
        "candidate nominated",
        _subject(election),
        detail={"candidate": candidate.id, "self": self_nomination},
    )
    if not self_nomination:
        nominated = session.get_one(Member, nominee.member_id)
        _tell(
            session,
            election,
            session.get_one(Group, election.group_id),
            nominated,
            "election_nominated",
            nominated_by=person.name,
        )
    return candidate


def answer_nomination(
    session: Session, candidate: Candidate, member: Member, accept: bool, statement: str
) -> None:
    election = session.get_one(Election, candidate.election_id)
    if stage(election) != "nominations":
        raise InputError(gettext("Nominations have closed"), "accept")
    if candidate.accepted_at or candidate.declined_at:
        raise InputError(gettext("You have already answered"), "accept")
    if accept:
        candidate.statement, candidate.accepted_at = _statement(statement), now()
    else:
        candidate.declined_at = now()
    events.record(
        session,
        member_actor(member),
        "nomination accepted" if accept else "nomination declined",
        _subject(election),
        detail={"candidate": candidate.id},
    )


def has_voted(session: Session, election: Election, membership: Membership) -> bool:
    roll = session.get_one(ElectionRoll, election.id)
    return membership.id in (roll.voted or [])


def vote(session: Session, election: Election, membership: Membership, candidate_id: int) -> None:
    """One secret vote, counted once: the roll gains the voter, the box gains the choice (then shuffled),
    together or not at all. Nothing else is written: no event, no time."""
    if stage(election) != "voting":
        raise InputError(gettext("Voting is not open"), "candidate")
    if membership.left_at is not None or membership.group_id != election.group_id:
        raise InputError(gettext("Only current members of the group can vote"), "candidate")
    standing = {candidate.id for candidate, _member in candidates(session, election)}
    if candidate_id not in standing:
        raise InputError(gettext("Choose one of the candidates"), "candidate")
    roll = _locked(session, ElectionRoll, election.id)
    if membership.id in roll.voted:
        raise InputError(gettext("You have already voted in this election"), "candidate")
    box = _locked(session, BallotBox, election.id)
    roll.voted = sorted([*roll.voted, membership.id])
    ballots = [*box.ballots, candidate_id]
    _chance.shuffle(ballots)
    box.ballots = ballots
    session.flush()


def _locked(session: Session, model, election_id: int):
    """The election's row of `model`, locked until the transaction ends (PostgreSQL; SQLite's writes are
    already one at a time), read afresh."""
    query = select(model).where(model.election_id == election_id).execution_options(populate_existing=True)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query)


def count_due(session: Session) -> int:
    """Count every election whose voting has closed (or whose nominations closed with one candidate), once.
    Run by the daily command, and whenever an election's page is opened. How many were counted."""
    counted = 0
    for election in session.scalars(
        select(Election).where(Election.counted_at.is_(None), Election.cancelled_at.is_(None))
    ):
        if count(session, election):
            counted += 1
    return counted


def count(session: Session, election: Election) -> bool:
    """The result, if it is due and not yet counted; whether it was counted now."""
    where = stage(election)
    if election.counted_at is not None or where in {"before", "nominations", "cancelled"}:
        return False
    standing = candidates(session, election)
    if where != "closed" and len(standing) != 1:
        return False
    claimed = session.scalar(
        select(Election).where(Election.id == election.id, Election.counted_at.is_(None)).with_for_update()
        if session.bind is not None and session.bind.dialect.name == "postgresql"
        else select(Election).where(Election.id == election.id, Election.counted_at.is_(None))
    )
    if claimed is None:
        return False
    box = session.get_one(BallotBox, election.id)
    roll = session.get_one(ElectionRoll, election.id)
    votes = Counter(box.ballots)
    result: dict = {
        "method": "first past the post",
        "votes": {str(candidate.id): votes.get(candidate.id, 0) for candidate, _member in standing},
        "turnout": len(roll.voted),
        "eligible": len(members.of_group(session, election.group_id)),
    }
    winner: Candidate | None = None
    if not standing:
        result["outcome"] = "no candidates"
    elif len(standing) == 1:
        result["outcome"] = "uncontested"
        winner = standing[0][0]
    else:
        top = max(votes.get(candidate.id, 0) for candidate, _member in standing)
        tied = [candidate for candidate, _member in standing if votes.get(candidate.id, 0) == top]
        winner = _chance.choice(tied) if len(tied) > 1 else tied[0]
        result["outcome"] = "elected"
        if len(tied) > 1:
            result["tie"] = {
                "between": [str(c.id) for c in tied],
                "settled": TIE_RULES.get(election.tie_rule, election.tie_rule),
            }
    election.result, election.counted_at = result, now()
    if winner is not None:
        election.winner_id = winner.membership_id
        offices.take_office(session, election, session.get_one(Membership, winner.membership_id))
    events.record(session, SYSTEM, "election counted", _subject(election), detail=result)
    return True


def cancel(session: Session, election: Election, user: StaffUser) -> bool:
    """Stop an election before it is counted (its votes are never counted); whether it was stopped now."""
    if election.counted_at is not None or election.cancelled_at is not None:
        return False
    election.cancelled_at = now()
    events.record(session, staff_actor(user), "election cancelled", _subject(election))
    return True


def of_group(session: Session, group: Group) -> list[Election]:
    return list(
        session.scalars(
            select(Election).where(Election.group_id == group.id).order_by(Election.created_at.desc())
        )
    )


def for_member(session: Session, member: Member) -> list[tuple[Election, Membership]]:
    """The elections of the member's current groups: running ones, and the last result of each office."""
    found = []
    for membership in members.current(session, member):
        group = session.get_one(Group, membership.group_id)
        for election in of_group(session, group):
            count(session, election)
            if election.cancelled_at is None:
                found.append((election, membership))
    return found
