"""Terms and renewal: a membership lasts the group's term (`term_years` in the deployment file, 3 unless
it says otherwise) from joining. Sixty days before it ends the member is asked whether they want to
continue (and reminded at fourteen days if they have not said), and the group's Coordinator and Chair are
told; staff then renew it for another term or end it, with a reason. Leaving, however it happens, records
the reason and the date, ends access to the group, and leaves the record to the retention policy."""

from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now, uk_date, years_after
from webapp.languages import group_text
from webapp.models import Application, Group, Member, Membership, NewsKind, StaffUser
from webapp.services import InputError, events, members, news, notify, wording
from webapp.services.actors import member_actor, staff
from webapp.workflow import Role

ASK_DAYS = 60
REMIND_DAYS = 14
WISHES = ("continue", "leave")


def _subject(membership: Membership) -> events.Subject:
    return events.Subject("application", membership.application_id)


def send_asks(session: Session) -> int:
    """Ask each member whose term ends within ASK_DAYS (once), and remind those who have not answered when
    REMIND_DAYS are left (once). How many emails."""
    today = now().date()
    sent = 0
    for membership, member in session.execute(
        select(Membership, Member)
        .join(Member, Member.id == Membership.member_id)
        .where(
            Membership.left_at.is_(None),
            Membership.term_ends_on.is_not(None),
            Membership.term_ends_on <= today + timedelta(days=ASK_DAYS),
            Member.email.is_not(None),
        )
    ):
        ends = membership.term_ends_on
        if ends is None:
            continue
        if membership.renewal_asked_at is None:
            membership.renewal_asked_at = now()
            _ask(session, membership, member, reminder=False)
            _tell_staff(session, membership, member, f"{member.name}'s term ends on {uk_date(ends)}")
            sent += 1
        elif (
            membership.renewal_wish is None
            and membership.renewal_reminded_at is None
            and ends <= today + timedelta(days=REMIND_DAYS)
        ):
            membership.renewal_reminded_at = now()
            _ask(session, membership, member, reminder=True)
            sent += 1
    return sent


def _ask(session: Session, membership: Membership, member: Member, reminder: bool) -> None:
    group = session.get_one(Group, membership.group_id)
    ends = uk_date(membership.term_ends_on or now().date(), member.language)
    with force_locale(member.language):
        subject = gettext(
            "Your membership of the %(group)s ends on %(date)s", group=group_text(group, "name"), date=ends
        )
    notify.email(
        session,
        "term_renewal",
        to=member.email or "",
        subject=subject,
        language=member.language,
        purpose="term",
        member=member,
        group=group,
        ends=ends,
        reminder=reminder,
    )


def _tell_staff(session: Session, membership: Membership, member: Member, summary: str) -> None:
    group = session.get_one(Group, membership.group_id)
    with wording.rendering():
        path = url_for("review.group_members", slug=group.slug)
    people = news.holders(session, {Role.POLICE_COORDINATOR, Role.CHAIR}, group.id)
    news.tell(
        session,
        news.News(
            NewsKind.TERM_ENDING, summary, session.get(Application, membership.application_id), path=path
        ),
        people,
    )


def answer(session: Session, membership: Membership, member: Member, wish: str) -> None:
    """The member says whether they want to continue; the group's staff are told."""
    if wish not in WISHES:
        raise InputError(gettext("Choose whether you want to continue"), "wish")
    membership.renewal_wish = wish
    events.record(session, member_actor(member), "renewal wish", _subject(membership), detail={"wish": wish})
    said = "wants to continue" if wish == "continue" else "does not want to continue"
    _tell_staff(session, membership, member, f"{member.name} {said} after their term")


def renew(session: Session, membership: Membership, user: StaffUser) -> date:
    """Another term, from the end of this one (or from today, if it has passed)."""
    if membership.left_at is not None:
        raise InputError("This member has left")
    group = session.get_one(Group, membership.group_id)
    start = max(membership.term_ends_on or now().date(), now().date())
    membership.term_ends_on = years_after(start, group.term_years)
    membership.renewal_wish = membership.renewal_asked_at = membership.renewal_reminded_at = None
    events.record(
        session,
        staff(user),
        "membership renewed",
        _subject(membership),
        detail={"term_ends_on": membership.term_ends_on.isoformat()},
    )
    person = session.get(Member, membership.member_id) if membership.member_id else None
    if person is not None and person.email:
        until = uk_date(membership.term_ends_on, person.language)
        with force_locale(person.language):
            subject = gettext(
                "Your membership of the %(group)s is renewed until %(date)s", group=group.name, date=until
            )
        notify.email(
            session,
            "term_renewed",
            to=person.email,
            subject=subject,
            language=person.language,
            purpose="term",
            member=person,
            group=group,
            until=until,
        )
    return membership.term_ends_on


def end(session: Session, membership: Membership, user: StaffUser, reason: str) -> None:
    """The membership ends, for the reason given (the end of a term, or any other)."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("Give the reason the membership ends", "reason")
    members.leave(session, membership, staff(user), reason)
