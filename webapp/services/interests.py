"""Declarations of interest: each member keeps a register of their interests (what, since when; ended when
no longer held), confirms it is up to date each year (reminded by email when it is due), and declares
at a meeting's invitation any interest touching its agenda, which is recorded on the meeting."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import Interest, Member, Membership
from webapp.services import InputError, events, notify
from webapp.services.actors import member_actor

YEAR = timedelta(days=365)
MAX_WHAT = 500


def _subject(member: Member) -> events.Subject:
    return events.Subject("member", member.id)


def register(session: Session, member: Member) -> list[Interest]:
    """The member's interests: those held now first, newest first; then those ended."""
    return list(
        session.scalars(
            select(Interest)
            .where(Interest.member_id == member.id)
            .order_by(Interest.ended_on.is_not(None), Interest.since.desc(), Interest.id.desc())
        )
    )


def add(session: Session, member: Member, what: str, since: date) -> Interest:
    what = " ".join((what or "").split())
    if not what:
        raise InputError(gettext("Say what the interest is"), "what")
    if len(what) > MAX_WHAT:
        raise InputError(gettext("The interest must be %(most)s characters or fewer", most=MAX_WHAT), "what")
    if since > now().date():
        raise InputError(gettext("The date must be today or in the past"), "since")
    interest = Interest(member_id=member.id, what=what, since=since, created_at=now())
    session.add(interest)
    session.flush()
    events.record(
        session, member_actor(member), "interest declared", _subject(member), detail={"interest": interest.id}
    )
    return interest


def end(session: Session, member: Member, interest_id: int) -> None:
    interest = session.get(Interest, interest_id)
    if interest is None or interest.member_id != member.id or interest.ended_on is not None:
        raise InputError(gettext("That interest is not on your register"), "what")
    interest.ended_on = now().date()
    events.record(
        session, member_actor(member), "interest ended", _subject(member), detail={"interest": interest.id}
    )


def confirm(session: Session, member: Member) -> None:
    """The member says the register is complete and up to date."""
    member.interests_confirmed_at = now()
    events.record(session, member_actor(member), "interests confirmed", _subject(member))


def due(member: Member) -> bool:
    """Whether the yearly confirmation is due (never confirmed, or more than a year ago)."""
    return member.interests_confirmed_at is None or now() - member.interests_confirmed_at > YEAR


def send_reminders(session: Session) -> int:
    """Email each current member whose confirmation is due, at most once a year."""
    year_ago = now() - YEAR
    sent = 0
    waiting = session.scalars(
        select(Member)
        .where(
            Member.email.is_not(None),
            Member.id.in_(select(Membership.member_id).where(Membership.left_at.is_(None))),
            or_(Member.interests_confirmed_at.is_(None), Member.interests_confirmed_at < year_ago),
            or_(Member.interests_reminded_at.is_(None), Member.interests_reminded_at < year_ago),
        )
        .order_by(Member.id)
    )
    for member in waiting:
        member.interests_reminded_at = now()
        with force_locale(member.language):
            subject = gettext("Please check your register of interests")
        notify.email(
            session,
            "interests_confirm",
            to=member.email or "",
            subject=subject,
            language=member.language,
            purpose="interests",
            member=member,
        )
        sent += 1
    return sent
